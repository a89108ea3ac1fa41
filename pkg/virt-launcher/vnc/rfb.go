package vnc

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// RFB (RFC 6143) constants the pointer nudge needs.
const (
	rfbVersion      = "RFB 003.008\n"
	securityNone    = 1
	msgPointerEvent = 5
	nudgeTimeout    = 5 * time.Second
)

// nudgePointer joins the display as a shared RFB client and moves the pointer
// back and forth, which wakes a guest that blanked its screen.
func nudgePointer(ctx context.Context, conn net.Conn) error {
	deadline := time.Now().Add(nudgeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	width, height, err := handshake(conn)
	if err != nil {
		return err
	}
	x, y := width/2, height/2
	for _, p := range [][2]uint16{{x + 1, y + 1}, {x, y}} {
		msg := []byte{msgPointerEvent, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(msg[2:], p[0])
		binary.BigEndian.PutUint16(msg[4:], p[1])
		if _, err := conn.Write(msg); err != nil {
			return fmt.Errorf("send pointer event: %w", err)
		}
	}
	return nil
}

// handshake runs RFB 3.8 with no authentication and a shared ClientInit and
// returns the framebuffer size.
func handshake(rw io.ReadWriter) (width, height uint16, err error) {
	version := make([]byte, len(rfbVersion))
	if _, err := io.ReadFull(rw, version); err != nil {
		return 0, 0, fmt.Errorf("read server version: %w", err)
	}
	if _, err := io.WriteString(rw, rfbVersion); err != nil {
		return 0, 0, fmt.Errorf("send version: %w", err)
	}
	var n [1]byte
	if _, err := io.ReadFull(rw, n[:]); err != nil {
		return 0, 0, fmt.Errorf("read security types: %w", err)
	}
	if n[0] == 0 {
		return 0, 0, fmt.Errorf("server offers no security type")
	}
	types := make([]byte, n[0])
	if _, err := io.ReadFull(rw, types); err != nil {
		return 0, 0, fmt.Errorf("read security types: %w", err)
	}
	if !containsByte(types, securityNone) {
		return 0, 0, fmt.Errorf("server offers no unauthenticated access: %v", types)
	}
	var result [4]byte
	if _, err := rw.Write([]byte{securityNone}); err != nil {
		return 0, 0, fmt.Errorf("choose security type: %w", err)
	}
	if _, err := io.ReadFull(rw, result[:]); err != nil {
		return 0, 0, fmt.Errorf("read security result: %w", err)
	}
	if binary.BigEndian.Uint32(result[:]) != 0 {
		return 0, 0, fmt.Errorf("security handshake refused")
	}
	if _, err := rw.Write([]byte{1}); err != nil { // shared: other viewers stay
		return 0, 0, fmt.Errorf("send client init: %w", err)
	}
	var init [24]byte
	if _, err := io.ReadFull(rw, init[:]); err != nil {
		return 0, 0, fmt.Errorf("read server init: %w", err)
	}
	nameLen := binary.BigEndian.Uint32(init[20:])
	if _, err := io.CopyN(io.Discard, rw, int64(nameLen)); err != nil {
		return 0, 0, fmt.Errorf("read desktop name: %w", err)
	}
	return binary.BigEndian.Uint16(init[0:]), binary.BigEndian.Uint16(init[2:]), nil
}

func containsByte(list []byte, b byte) bool {
	for _, v := range list {
		if v == b {
			return true
		}
	}
	return false
}
