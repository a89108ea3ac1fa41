package console

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// DefaultHistory is how many bytes of output a late viewer receives first.
const DefaultHistory = 256 << 10

// Console relays one serial console socket.
type Console struct {
	socket  string
	history int

	mu      sync.Mutex
	conn    net.Conn
	buf     []byte
	viewers map[chan []byte]struct{}
	// log receives all output (the serial console log file); nil when none.
	log    io.Writer
	logErr error
}

// New returns a console for the socket; Run connects to it.
func New(socket string, history int) *Console {
	if history <= 0 {
		history = DefaultHistory
	}
	return &Console{socket: socket, history: history, viewers: map[chan []byte]struct{}{}}
}

// LogTo appends all further output to w (the serial console log); call
// before Run. A write that fails stops the log, not the console.
func (c *Console) LogTo(w io.Writer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = w
}

// LogErr is the error that stopped the log, if any.
func (c *Console) LogErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logErr
}

// Run connects (retrying until the socket exists) and relays output until the
// socket closes or ctx ends. It returns nil when QEMU closed the console.
func (c *Console) Run(ctx context.Context) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	c.mu.Lock()
	c.conn = conn
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.conn = nil
		for v := range c.viewers {
			close(v)
			delete(c.viewers, v)
		}
		c.mu.Unlock()
	}()
	chunk := make([]byte, 4096)
	for {
		n, err := conn.Read(chunk)
		if n > 0 {
			c.publish(append([]byte(nil), chunk[:n]...))
		}
		if err != nil {
			klog.FromContext(ctx).V(2).Info("serial console closed", "reason", err.Error())
			return nil
		}
	}
}

func (c *Console) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := d.DialContext(ctx, "unix", c.socket)
		if err == nil {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to serial console %s: %w", c.socket, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Console) publish(data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.log != nil && c.logErr == nil {
		if _, err := c.log.Write(data); err != nil {
			c.logErr = fmt.Errorf("write serial console log: %w", err)
		}
	}
	c.buf = append(c.buf, data...)
	if over := len(c.buf) - c.history; over > 0 {
		c.buf = append([]byte(nil), c.buf[over:]...)
	}
	for v := range c.viewers {
		select {
		case v <- data:
		default: // a viewer that cannot keep up loses output rather than stall the guest
		}
	}
}

// Attach returns the output so far and a channel of further output, closed when
// the console ends; call detach when done.
func (c *Console) Attach() (history []byte, out <-chan []byte, detach func()) {
	ch := make(chan []byte, 256)
	c.mu.Lock()
	defer c.mu.Unlock()
	history = append([]byte(nil), c.buf...)
	c.viewers[ch] = struct{}{}
	return history, ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.viewers[ch]; ok {
			delete(c.viewers, ch)
			close(ch)
		}
	}
}

// Write sends input to the guest.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return 0, fmt.Errorf("serial console is not connected")
	}
	n, err := conn.Write(p)
	if err != nil {
		return n, fmt.Errorf("write to serial console: %w", err)
	}
	return n, nil
}
