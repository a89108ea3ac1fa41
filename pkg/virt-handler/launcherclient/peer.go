package launcherclient

import (
	"context"
	"errors"
	"io/fs"
	"syscall"

	"google.golang.org/grpc/connectivity"
)

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
