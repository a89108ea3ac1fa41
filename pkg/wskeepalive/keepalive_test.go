package wskeepalive

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pair connects a client to a server websocket; serve runs on the server side.
func pair(t *testing.T, serve func(*websocket.Conn)) *websocket.Conn {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.Close() }()
		serve(ws)
	}))
	t.Cleanup(srv.Close)
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

// TestIdleConsoleStaysOpen: with pings every 200 ms, a connection idle for 15
// intervals (five times the dead-peer limit) stays open and still carries data,
// and the client saw the pings.
func TestIdleConsoleStaysOpen(t *testing.T) {
	// Long enough that a loaded machine (tests of other packages on the same two
	// cores) does not miss three pings in a row.
	const interval = 200 * time.Millisecond
	var pings atomic.Int32
	readErr := make(chan error, 1)
	ws := pair(t, func(ws *websocket.Conn) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go Ping(ctx, ws, interval)
		touch := Watch(ws, interval)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			touch()
			_ = ws.WriteMessage(websocket.BinaryMessage, msg)
		}
	})
	ws.SetPingHandler(func(data string) error {
		pings.Add(1)
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	clientErr := make(chan error, 1)
	got := make(chan string, 1)
	go func() {
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				clientErr <- err
				return
			}
			got <- string(msg)
		}
	}()
	idle := time.NewTimer(15 * interval)
	select {
	case err := <-readErr:
		t.Fatalf("server gave up on an idle but live client: %v", err)
	case err := <-clientErr:
		t.Fatalf("client connection closed while idle: %v", err)
	case <-idle.C:
	}
	if n := pings.Load(); n < 5 {
		t.Errorf("client saw %d pings in 15 intervals", n)
	}
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-got:
		if msg != "still here" {
			t.Errorf("echo %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no echo after the idle period")
	}
}

// TestSilentPeerIsDropped: a peer that answers no ping fails the reader
// after missedPings intervals instead of holding the console forever.
func TestSilentPeerIsDropped(t *testing.T) {
	const interval = 20 * time.Millisecond
	readErr := make(chan error, 1)
	ws := pair(t, func(ws *websocket.Conn) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go Ping(ctx, ws, interval)
		Watch(ws, interval)
		_, _, err := ws.ReadMessage()
		readErr <- err
	})
	// The client never reads, so it never answers the pings.
	_ = ws
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("read succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a silent peer kept the console open")
	}
}
