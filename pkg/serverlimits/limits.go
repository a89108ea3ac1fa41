package serverlimits

import (
	"net"
	"net/http"
	"time"
)

const (
	// ReadHeaderTimeout bounds how long a client may take to send its request
	// line and headers: a slowloris client that trickles them is dropped.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading one whole request, body included. It must
	// outlast the longest handler that does not hijack its connection (a
	// console waiting 30 s for its VMI, a command forwarded to virt-handler
	// for 30 s): net/http cancels a request's context once the connection's
	// read deadline passes.
	ReadTimeout = 2 * time.Minute
	// IdleTimeout is how long a keep-alive connection may wait for its next
	// request.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds request headers (the aggregator's identity headers
	// of a user in many groups stay well below it).
	MaxHeaderBytes = 256 << 10
	// WebsocketReadLimit bounds one websocket message kvirt reads (a console
	// or VNC frame is a few KiB); a peer that sends more is closed with 1009
	// (message too big).
	WebsocketReadLimit = 1 << 20
)

// Limits are the bounds Apply sets on a server; Defaults are the constants above.
type Limits struct {
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                              int
}

// Defaults returns the limits every kvirt server runs with.
func Defaults() Limits {
	return Limits{ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, IdleTimeout: IdleTimeout,
		MaxHeaderBytes: MaxHeaderBytes}
}

// Apply sets l on srv and returns it. No write timeout is set: streams and
// large answers (screenshots) are written for as long as they take.
func (l Limits) Apply(srv *http.Server) *http.Server {
	srv.ReadHeaderTimeout = l.ReadHeaderTimeout
	srv.ReadTimeout = l.ReadTimeout
	srv.IdleTimeout = l.IdleTimeout
	srv.MaxHeaderBytes = l.MaxHeaderBytes
	return srv
}

// Bound sets the default limits on srv and returns it.
func Bound(srv *http.Server) *http.Server { return Defaults().Apply(srv) }

// Upgraded lifts the deadlines the server set on conn for reading its
// request, once the connection was hijacked or upgraded to a long-lived
// stream (console, VNC): the stream keeps its own keepalive and bounds from
// then on, and is not cut at ReadTimeout. Current net/http clears them on
// Hijack already; calling Upgraded keeps the streams' lifetime independent of
// that detail.
func Upgraded(conn net.Conn) {
	_ = conn.SetDeadline(time.Time{})
}
