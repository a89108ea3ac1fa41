package subresources

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/serverlimits"
)

// TestIdleConsoleIsPinged: an open console that carries no data is pinged at
// the keepalive interval and stays open (here 30 intervals of 20 ms; in a
// cluster the 20 s default keeps it open through idle timeouts for as long as
// the user keeps it).
func TestIdleConsoleIsPinged(t *testing.T) {
	s, _ := consoleProxy(t, vmiOn("n1", virtv1.Running, false), time.Second)
	const interval = 20 * time.Millisecond
	s.cfg.ConsoleKeepalive = interval
	ws, code, body := dialConsoleVia(t, s)
	if ws == nil {
		t.Fatalf("console refused: %d %s", code, body)
	}
	var pings atomic.Int32
	ws.SetPingHandler(func(data string) error {
		pings.Add(1)
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	// Read (which answers pings) for 30 intervals without sending anything.
	idleUntil := time.Now().Add(30 * interval)
	var out string
	for time.Now().Before(idleUntil) {
		_ = ws.SetReadDeadline(idleUntil)
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				break
			}
			t.Fatalf("console closed while idle after %d pings: %v", pings.Load(), err)
		}
		out += string(msg)
	}
	if n := pings.Load(); n < 10 {
		t.Errorf("%d pings in 30 keepalive intervals", n)
	}
	if out != "hello\n" {
		t.Errorf("output while idle %q", out)
	}
}

// TestConsoleMessageTooBig: a client message over the websocket read limit
// ends the console (close code 1009, or a reset when virt-api closes before
// it read the rest of the message) instead of being relayed.
func TestConsoleMessageTooBig(t *testing.T) {
	s, _ := consoleProxy(t, vmiOn("n1", virtv1.Running, false), time.Second)
	ws, code, body := dialConsoleVia(t, s)
	if ws == nil {
		t.Fatalf("console refused: %d %s", code, body)
	}
	_ = ws.WriteMessage(websocket.BinaryMessage, make([]byte, serverlimits.WebsocketReadLimit+1))
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue // console output written before the close
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("console still open 30 s after an oversized message")
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
			t.Fatalf("closed with %d, want 1009", ce.Code)
		}
		return
	}
}
