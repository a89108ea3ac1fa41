package netrelay

import (
	"context"
	"io"
	"net"

	"k8s.io/klog/v2"
)

// Opener opens the far end of a relayed connection.
type Opener func(ctx context.Context) (net.Conn, error)

// Relay accepts on ln until it closes and relays each connection to a new
// one from open; a far end that cannot be opened closes the accepted
// connection (and is logged).
func Relay(ctx context.Context, ln net.Listener, open Opener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer func() { _ = c.Close() }()
			remote, err := open(ctx)
			if err != nil {
				klog.FromContext(ctx).Info("relay could not open its far end", "listener", ln.Addr().String(),
					"err", err.Error())
				return
			}
			defer func() { _ = remote.Close() }()
			Pipe(c, remote)
		}()
	}
}

// Pipe copies both ways; when one direction ends, the other end learns it
// (a write shutdown where the connection has one) and Pipe waits for the
// other direction.
func Pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(b, a); CloseWrite(b); done <- struct{}{} }()
	go func() { _, _ = io.Copy(a, b); CloseWrite(a); done <- struct{}{} }()
	<-done
	<-done
}

// CloseWrite shuts c down for writing where it can, else closes it.
func CloseWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}
