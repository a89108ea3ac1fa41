package console

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConsoleRelaysHistoryOutputAndInput(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "serial")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := New(sock, 8)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	guest, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guest.Write([]byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	var history []byte
	for ctx.Err() == nil && len(history) < 8 {
		history, _, _ = c.Attach()
	}
	if string(history) != "23456789" {
		t.Fatalf("history = %q, want the last 8 bytes", history)
	}
	_, out, detach := c.Attach()
	defer detach()
	if _, err := guest.Write([]byte("boot")); err != nil {
		t.Fatal(err)
	}
	got := ""
	for !strings.Contains(got, "boot") {
		select {
		case b := <-out:
			got += string(b)
		case <-ctx.Done():
			t.Fatalf("saw %q, want boot", got)
		}
	}
	if _, err := c.Write([]byte("ls\n")); err != nil {
		t.Fatal(err)
	}
	in := make([]byte, 3)
	if _, err := guest.Read(in); err != nil || string(in) != "ls\n" {
		t.Fatalf("guest read %q, %v", in, err)
	}
	_ = guest.Close()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}
