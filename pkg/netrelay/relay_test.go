package netrelay

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// upper serves one connection: it answers what it read, upper-cased.
func upper(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			_, _ = c.Write([]byte(strings.ToUpper(string(b))))
			_ = c.Close()
		}
	}()
	return ln
}

func TestRelayBothWaysAndRefusal(t *testing.T) {
	far := upper(t)
	front, err := net.Listen("unix", t.TempDir()+"/relay.sock")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = front.Close() }()
	var fail atomic.Bool
	go Relay(context.Background(), front, func(context.Context) (net.Conn, error) {
		if fail.Load() {
			return nil, errors.New("no far end")
		}
		return net.Dial("tcp", far.Addr().String())
	})
	c, err := net.Dial("unix", front.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("libvirt rpc"))
	CloseWrite(c)
	if b, _ := io.ReadAll(c); string(b) != "LIBVIRT RPC" {
		t.Errorf("relayed answer %q", b)
	}
	_ = c.Close()
	fail.Store(true)
	c, err = net.Dial("unix", front.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(c); len(b) != 0 {
		t.Errorf("a connection without a far end read %q", b)
	}
}
