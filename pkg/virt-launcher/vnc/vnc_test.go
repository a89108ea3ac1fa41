package vnc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/png"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestToPNG(t *testing.T) {
	cases := []struct {
		name, mime string
		data       []byte
		want       [3]uint8 // the second pixel
		wantErr    bool
	}{
		{"8-bit ppm with a comment", mimePPM, append([]byte("P6\n# qemu\n2 1\n255\n"), 0, 0, 0, 10, 20, 30), [3]uint8{10, 20, 30}, false},
		{"16-bit ppm", mimePPM, append([]byte("P6 2 1 65535\n"), 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0x80, 0), [3]uint8{255, 0, 127}, false},
		{"truncated ppm", mimePPM, []byte("P6\n2 1\n255\n\x00"), [3]uint8{}, true},
		{"ascii ppm is refused", mimePPM, []byte("P3\n1 1\n255\n0 0 0\n"), [3]uint8{}, true},
		{"unknown format", "image/bmp", []byte("BM"), [3]uint8{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ToPNG(tc.mime, tc.data)
			if tc.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("not a png: %v", err)
			}
			r, g, b, _ := img.At(1, 0).RGBA()
			if got := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}; got != tc.want || img.Bounds().Dx() != 2 {
				t.Errorf("pixel %v size %v, want %v", got, img.Bounds(), tc.want)
			}
		})
	}
	if out, err := ToPNG(MimePNG, []byte("png bytes")); err != nil || string(out) != "png bytes" {
		t.Errorf("png passes through: %q %v", out, err)
	}
}

// fakeQEMU accepts connections on a unix socket and hands them to the test.
func fakeQEMU(t *testing.T) (string, <-chan net.Conn) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "vnc")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	conns := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	return sock, conns
}

func TestOneViewerAtATime(t *testing.T) {
	sock, conns := fakeQEMU(t)
	d := New(sock, nil)
	first, releaseFirst, err := d.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseFirst()
	<-conns
	if _, _, err := d.Open(true); !errors.Is(err, ErrInUse) {
		t.Fatalf("preserving open with a viewer: %v, want ErrInUse", err)
	}
	_, releaseSecond, err := d.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	<-conns
	_ = first.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := first.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("first viewer after a takeover: read %v, want closed", err)
	}
	releaseFirst() // a stale release leaves the new session alone
	if !d.Active() {
		t.Fatal("second viewer lost its session to the first one's release")
	}
	releaseSecond()
	if d.Active() {
		t.Fatal("session still active after release")
	}
	if _, release, err := d.Open(true); err != nil {
		t.Errorf("preserving open without a viewer: %v", err)
	} else {
		release()
	}
}

func TestNoDisplay(t *testing.T) {
	d := New(filepath.Join(t.TempDir(), "vnc"), nil)
	if _, _, err := d.Open(false); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("open without a socket: %v, want ErrNoDisplay", err)
	}
}

type shots struct{ calls int }

func (s *shots) Screenshot() ([]byte, string, error) {
	s.calls++
	return append([]byte("P6 1 1 255\n"), 1, 2, 3), mimePPM, nil
}

// TestScreenshotMovesCursor: with moveCursor the display joins as a shared RFB
// client and sends two pointer events before the screenshot.
func TestScreenshotMovesCursor(t *testing.T) {
	sock, conns := fakeQEMU(t)
	s := &shots{}
	d := New(sock, s)
	events := make(chan []byte, 1)
	go func() {
		c := <-conns
		defer func() { _ = c.Close() }()
		_, _ = io.WriteString(c, rfbVersion)
		buf := make([]byte, 12)
		_, _ = io.ReadFull(c, buf)
		_, _ = c.Write([]byte{1, securityNone})
		_, _ = io.ReadFull(c, buf[:1])
		_, _ = c.Write([]byte{0, 0, 0, 0})
		_, _ = io.ReadFull(c, buf[:1]) // shared flag
		init := make([]byte, 24)
		binary.BigEndian.PutUint16(init[0:], 640)
		binary.BigEndian.PutUint16(init[2:], 480)
		binary.BigEndian.PutUint32(init[20:], 4)
		_, _ = c.Write(append(init, "QEMU"...))
		ev := make([]byte, 12)
		_, _ = io.ReadFull(c, ev)
		events <- ev
	}()
	out, err := d.Screenshot(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(out)); err != nil || s.calls != 1 {
		t.Errorf("screenshot: %v, %d calls", err, s.calls)
	}
	select {
	case ev := <-events:
		if ev[0] != msgPointerEvent || ev[6] != msgPointerEvent || binary.BigEndian.Uint16(ev[8:]) != 320 {
			t.Errorf("pointer events %v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pointer events")
	}
}
