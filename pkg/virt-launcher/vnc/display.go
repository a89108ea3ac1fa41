package vnc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

var (
	// ErrInUse is returned to a viewer that asked to preserve a current session.
	ErrInUse = errors.New("a VNC session is already active")
	// ErrNoDisplay is returned when the domain serves no VNC display.
	ErrNoDisplay = errors.New("the domain has no VNC display")
)

// dialTimeout bounds connecting to QEMU's socket.
const dialTimeout = 5 * time.Second

// Screenshotter takes a screenshot of the domain's first screen and says its
// MIME type (libvirt streams PPM from QEMU, PNG from newer ones).
type Screenshotter interface {
	Screenshot() (data []byte, mime string, err error)
}

// Display is one domain's VNC display.
type Display struct {
	socket string
	shots  Screenshotter

	mu sync.Mutex
	// current is the viewer's connection; closing it ends the session.
	current net.Conn
}

// New returns the display QEMU serves on socket.
func New(socket string, shots Screenshotter) *Display {
	return &Display{socket: socket, shots: shots}
}

// Open connects a viewer to QEMU's VNC socket. A current viewer is
// disconnected first, unless preserve is set: then Open fails with ErrInUse.
// release ends the session (and closes conn).
func (d *Display) Open(preserve bool) (conn net.Conn, release func(), err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.current != nil && preserve {
		return nil, nil, ErrInUse
	}
	conn, err = d.dial()
	if err != nil {
		return nil, nil, err
	}
	if d.current != nil {
		_ = d.current.Close()
	}
	d.current = conn
	return conn, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.current == conn {
			d.current = nil
		}
		_ = conn.Close()
	}, nil
}

// Active reports whether a viewer is connected.
func (d *Display) Active() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.current != nil
}

func (d *Display) dial() (net.Conn, error) {
	if _, err := os.Lstat(d.socket); errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoDisplay
	}
	conn, err := net.DialTimeout("unix", d.socket, dialTimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to the VNC socket: %w", err)
	}
	return conn, nil
}

// Screenshot returns the screen as a PNG, nudging the pointer first when
// moveCursor is set.
func (d *Display) Screenshot(ctx context.Context, moveCursor bool) ([]byte, error) {
	if moveCursor {
		conn, err := d.dial()
		if err != nil {
			return nil, err
		}
		err = nudgePointer(ctx, conn)
		_ = conn.Close()
		if err != nil {
			return nil, fmt.Errorf("move the cursor: %w", err)
		}
	}
	data, mime, err := d.shots.Screenshot()
	if err != nil {
		return nil, err
	}
	return ToPNG(mime, data)
}
