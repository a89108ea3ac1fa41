package virtmanager

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/go-logr/logr"
)

// relayLibvirt serves socket (in this launcher's own socket directory) for
// its libvirt's connection to the target's libvirtd and relays each
// connection to 127.0.0.1:port in the pod's network namespace, where
// virt-handler listens; stop closes the listener and removes the socket.
func relayLibvirt(log logr.Logger, socket string, port uint32) (stop func(), err error) {
	if port > 65535 {
		return nil, fmt.Errorf("libvirt_port %d: must be a TCP port", port)
	}
	if err := os.Remove(socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove stale %s: %w", socket, err)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("serve %s: %w", socket, err)
	}
	addr := net.JoinHostPort(migrationLoopback, strconv.Itoa(int(port)))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				remote, err := net.Dial("tcp", addr)
				if err != nil {
					log.Info("migration: virt-handler's libvirt relay is not there", "address", addr, "err", err.Error())
					return
				}
				defer func() { _ = remote.Close() }()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(remote, c); closeWrite(remote); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, remote); closeWrite(c); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
	return func() { _ = ln.Close() }, nil
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}
