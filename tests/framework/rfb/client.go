package rfb

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/gorilla/websocket"
)

// Client is a connected RFB session.
type Client struct {
	rw            io.ReadWriter
	Width, Height int
	// BitsPerPixel of the server's pixel format.
	BitsPerPixel int
	Name         string
}

// Rect is one rectangle of a framebuffer update.
type Rect struct {
	X, Y, W, H int
	Encoding   int32
	// Pixels are the raw pixel bytes (raw encoding only).
	Pixels []byte
}

// Update is one FramebufferUpdate.
type Update struct{ Rects []Rect }

// NonZero reports whether any pixel byte of the update is not zero.
func (u Update) NonZero() bool {
	for _, r := range u.Rects {
		if slices.ContainsFunc(r.Pixels, func(b byte) bool { return b != 0 }) {
			return true
		}
	}
	return false
}

// Handshake runs the protocol handshake: version 3.8, security type None,
// a shared ClientInit, and reads ServerInit.
func Handshake(rw io.ReadWriter) (*Client, error) {
	ver := make([]byte, 12)
	if _, err := io.ReadFull(rw, ver); err != nil {
		return nil, fmt.Errorf("read ProtocolVersion: %w", err)
	}
	if string(ver[:4]) != "RFB " {
		return nil, fmt.Errorf("not an RFB server: %q", ver)
	}
	if _, err := io.WriteString(rw, "RFB 003.008\n"); err != nil {
		return nil, err
	}
	n, err := readN(rw, 1)
	if err != nil {
		return nil, fmt.Errorf("read security types: %w", err)
	}
	if n[0] == 0 {
		return nil, fmt.Errorf("server offers no security type")
	}
	types, err := readN(rw, int(n[0]))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(types, 1) {
		return nil, fmt.Errorf("server requires authentication: security types %v", types)
	}
	if _, err := rw.Write([]byte{1}); err != nil {
		return nil, err
	}
	res, err := readN(rw, 4)
	if err != nil {
		return nil, fmt.Errorf("read SecurityResult: %w", err)
	}
	if binary.BigEndian.Uint32(res) != 0 {
		return nil, fmt.Errorf("SecurityResult %v: refused", res)
	}
	if _, err := rw.Write([]byte{1}); err != nil {
		return nil, err
	}
	init, err := readN(rw, 24)
	if err != nil {
		return nil, fmt.Errorf("read ServerInit: %w", err)
	}
	name, err := readN(rw, int(binary.BigEndian.Uint32(init[20:])))
	if err != nil {
		return nil, err
	}
	return &Client{rw: rw, Width: int(binary.BigEndian.Uint16(init[0:])), Height: int(binary.BigEndian.Uint16(init[2:])),
		BitsPerPixel: int(init[4]), Name: string(name)}, nil
}

// RequestUpdate asks for raw encoding only and a (non-incremental, whole
// screen) framebuffer update.
func (c *Client) RequestUpdate() error {
	enc := []byte{2, 0, 0, 1, 0, 0, 0, 0} // SetEncodings: one, raw
	req := []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(req[6:], uint16(c.Width))
	binary.BigEndian.PutUint16(req[8:], uint16(c.Height))
	if _, err := c.rw.Write(append(enc, req...)); err != nil {
		return fmt.Errorf("request update: %w", err)
	}
	return nil
}

// ReadUpdate reads server messages until a FramebufferUpdate arrives,
// skipping bells, colour map entries and cut text.
func (c *Client) ReadUpdate() (Update, error) {
	for {
		typ, err := readN(c.rw, 1)
		if err != nil {
			return Update{}, fmt.Errorf("read message: %w", err)
		}
		switch typ[0] {
		case 0:
			return c.readRects()
		case 1: // SetColourMapEntries
			h, err := readN(c.rw, 5)
			if err != nil {
				return Update{}, err
			}
			if _, err := readN(c.rw, 6*int(binary.BigEndian.Uint16(h[3:]))); err != nil {
				return Update{}, err
			}
		case 2: // Bell
		case 3: // ServerCutText
			h, err := readN(c.rw, 7)
			if err != nil {
				return Update{}, err
			}
			if _, err := readN(c.rw, int(binary.BigEndian.Uint32(h[3:]))); err != nil {
				return Update{}, err
			}
		default:
			return Update{}, fmt.Errorf("unexpected server message type %d", typ[0])
		}
	}
}

func (c *Client) readRects() (Update, error) {
	h, err := readN(c.rw, 3)
	if err != nil {
		return Update{}, err
	}
	var u Update
	for range int(binary.BigEndian.Uint16(h[1:])) {
		rh, err := readN(c.rw, 12)
		if err != nil {
			return u, err
		}
		r := Rect{X: int(binary.BigEndian.Uint16(rh[0:])), Y: int(binary.BigEndian.Uint16(rh[2:])),
			W: int(binary.BigEndian.Uint16(rh[4:])), H: int(binary.BigEndian.Uint16(rh[6:])),
			Encoding: int32(binary.BigEndian.Uint32(rh[8:]))}
		if r.Encoding != 0 {
			return u, fmt.Errorf("rectangle in encoding %d, only raw was asked for", r.Encoding)
		}
		if r.Pixels, err = readN(c.rw, r.W*r.H*c.BitsPerPixel/8); err != nil {
			return u, fmt.Errorf("read %dx%d pixels: %w", r.W, r.H, err)
		}
		u.Rects = append(u.Rects, r)
	}
	return u, nil
}

func readN(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

// WebsocketStream turns a websocket of binary messages into a byte stream.
func WebsocketStream(ws *websocket.Conn) io.ReadWriter { return &wsStream{ws: ws} }

type wsStream struct {
	ws   *websocket.Conn
	rest []byte
}

func (s *wsStream) Read(p []byte) (int, error) {
	for len(s.rest) == 0 {
		_, msg, err := s.ws.ReadMessage()
		if err != nil {
			return 0, err
		}
		s.rest = msg
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

func (s *wsStream) Write(p []byte) (int, error) {
	if err := s.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
