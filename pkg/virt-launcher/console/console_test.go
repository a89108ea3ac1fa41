package console

import (
	"bytes"
	"context"
	"errors"
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
	log := &bytes.Buffer{}
	c.LogTo(log)
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
	// The log keeps everything, not only the history.
	if log.String() != "0123456789boot" || c.LogErr() != nil {
		t.Errorf("log = %q (%v), want all output", log.String(), c.LogErr())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsoleLogFailureKeepsTheConsole(t *testing.T) {
	c := New("unused", 0)
	c.LogTo(failingWriter{})
	_, out, detach := c.Attach()
	defer detach()
	c.publish([]byte("boot"))
	if got := string(<-out); got != "boot" {
		t.Errorf("viewer got %q", got)
	}
	if err := c.LogErr(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("LogErr = %v", err)
	}
}
