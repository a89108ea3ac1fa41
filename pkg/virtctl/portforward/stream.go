package portforward

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/virtctl/console"
)

// chunk bounds one websocket message sent, far below the servers' read limit.
const chunk = 32 << 10

// Dial opens a port-forward stream to port of t.
func Dial(cfg *rest.Config, namespace string, t Target, port uint16, timeout time.Duration) (io.ReadWriteCloser, error) {
	if t.Namespace != "" {
		namespace = t.Namespace
	}
	ws, err := console.DialPath(cfg, Path(t, namespace, port), timeout)
	if err != nil {
		return nil, err
	}
	return &Stream{ws: ws}, nil
}

// Stream is a websocket's binary messages as a byte stream.
type Stream struct {
	ws   *websocket.Conn
	rd   io.Reader
	wmu  sync.Mutex
	once sync.Once
}

// NewStream wraps an open websocket.
func NewStream(ws *websocket.Conn) *Stream { return &Stream{ws: ws} }

func (s *Stream) Read(p []byte) (int, error) {
	for {
		if s.rd == nil {
			_, r, err := s.ws.NextReader()
			if err != nil {
				if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
					return 0, io.EOF
				}
				return 0, err
			}
			s.rd = r
		}
		n, err := s.rd.Read(p)
		if err == io.EOF {
			s.rd = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (s *Stream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	written := 0
	for len(p) > 0 {
		n := min(len(p), chunk)
		if err := s.ws.WriteMessage(websocket.BinaryMessage, p[:n]); err != nil {
			return written, err
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

// Close ends the stream.
func (s *Stream) Close() error {
	var err error
	s.once.Do(func() { err = s.ws.Close() })
	return err
}

// Pipe copies a and b both ways until either ends, then closes both.
func Pipe(a, b io.ReadWriteCloser) {
	done := make(chan struct{}, 2)
	cp := func(dst io.Writer, src io.Reader) { _, _ = io.Copy(dst, src); done <- struct{}{} }
	go cp(a, b)
	go cp(b, a)
	<-done
	_ = a.Close()
	_ = b.Close()
	<-done
}

// Serve accepts local connections on ln until ctx ends, relaying each to a
// stream of its own from dial.
func Serve(ctx context.Context, ln net.Listener, dial func() (io.ReadWriteCloser, error), logf func(string, ...any)) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go func() {
			s, err := dial()
			if err != nil {
				logf("port-forward: %v", err)
				_ = c.Close()
				return
			}
			Pipe(c, s)
		}()
	}
}

// stdio is standard input and output as one stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }

// Stdio relays in and out to one stream (ssh's ProxyCommand).
func Stdio(in io.Reader, out io.Writer, s io.ReadWriteCloser) {
	Pipe(stdio{in, out}, s)
}
