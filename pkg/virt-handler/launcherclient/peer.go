package launcherclient

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/connectivity"
)

// PeerCred is the kernel's SO_PEERCRED of a unix connection: the pid, uid and
// gid of the process that created the listening socket, translated into the
// reader's pid namespace (pid 0 when the peer lives in a namespace the reader
// cannot see).
func PeerCred(conn *net.UnixConn) (*unix.Ucred, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("raw conn: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if credErr != nil {
		return nil, fmt.Errorf("SO_PEERCRED: %w", credErr)
	}
	return cred, nil
}

// peerDialer dials the socket for gRPC and remembers the peer's credentials
// and the last dial error (which gRPC only reports as text).
type peerDialer struct {
	socket string

	mu      sync.Mutex
	cred    *unix.Ucred
	lastErr error
}

func (d *peerDialer) dial(ctx context.Context, _ string) (net.Conn, error) {
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "unix", d.socket)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastErr = err
	if err != nil {
		return nil, err
	}
	if uc, ok := conn.(*net.UnixConn); ok {
		if cred, err := PeerCred(uc); err == nil && d.cred == nil {
			d.cred = cred
		}
	}
	return conn, nil
}

func (d *peerDialer) peer() (*unix.Ucred, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cred, d.lastErr
}

// Refused reports whether a Dial error means the socket exists but nothing
// listens on it (the launcher that made it is gone).
func Refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Absent reports whether a Dial error means the socket file does not exist.
func Absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}

// OnClose calls fn once, from a goroutine, when the connection to the launcher
// breaks (the launcher closed it or exited); not when Close is called, and not
// after ctx ends.
func (c *Client) OnClose(ctx context.Context, fn func()) {
	go func() {
		for {
			s := c.conn.GetState()
			switch s {
			case connectivity.Shutdown:
				return
			case connectivity.Idle, connectivity.TransientFailure:
				fn()
				return
			}
			if !c.conn.WaitForStateChange(ctx, s) {
				return
			}
		}
	}()
}
