package wskeepalive

import (
	"context"
	"time"

	"github.com/gorilla/websocket"
)

// DefaultInterval is how often an idle console is pinged: well below the
// usual 60 s idle timeouts of load balancers and proxies.
const DefaultInterval = 20 * time.Second

// missedPings is how many intervals a peer may stay silent (no message, no
// pong) before Watch fails its reads.
const missedPings = 3

// Ping sends a ping every interval until ctx ends or a ping cannot be
// written. WriteControl may run beside the connection's one reader and one
// writer, so Ping needs no lock. The peer's websocket library answers with a
// pong on its own.
func Ping(ctx context.Context, ws *websocket.Conn, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(interval)); err != nil {
				return
			}
		}
	}
}

// Watch makes reads on ws fail once the peer was silent for missedPings
// intervals: every pong and every message read (call the returned touch after
// each) moves the deadline on. Call it before the reader starts, from the
// goroutine that reads.
func Watch(ws *websocket.Conn, interval time.Duration) (touch func()) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	touch = func() { _ = ws.SetReadDeadline(time.Now().Add(missedPings * interval)) }
	touch()
	ws.SetPongHandler(func(string) error { touch(); return nil })
	return touch
}
