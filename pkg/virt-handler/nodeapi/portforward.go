package nodeapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"kvirt.io/kvirt/pkg/netnsdial"
)

// PortForwardUpgrade is the Upgrade token of the node API's port-forward
// stream.
const PortForwardUpgrade = "kvirt-portforward"

// GuestEndpoint is where a VMI's guest is reached from: the network
// namespace of its launcher pod and the guest's address inside it.
type GuestEndpoint struct {
	NetNS string
	Addr  netip.Addr
}

// Guests finds the guest endpoint of a VMI on this node (ErrNotHere when it
// does not run here). Launchers that implement it serve port-forward.
type Guests interface {
	GuestEndpoint(ctx context.Context, namespace, name string) (GuestEndpoint, error)
}

// GuestDialer connects to a port of a guest endpoint; netnsdial.DialTCP, or
// a plain dial in tests.
type GuestDialer func(ctx context.Context, ep GuestEndpoint, port uint16) (net.Conn, error)

// DialInPod is the production GuestDialer: a TCP connection made inside the
// launcher pod's network namespace. The address is the endpoint's, never the
// caller's: a tenant reaches its own guest's ports and nothing else.
func DialInPod(ctx context.Context, ep GuestEndpoint, port uint16) (net.Conn, error) {
	return netnsdial.DialTCP(ctx, ep.NetNS, netip.AddrPortFrom(ep.Addr, port))
}

// registerPortForward adds portforward/{port}/{protocol}: tcp only (virt-api
// refuses udp before asking).
func registerPortForward(mux *http.ServeMux, base string, l Launchers, dial GuestDialer) {
	mux.HandleFunc("GET "+base+"portforward/{port}/{protocol}", func(w http.ResponseWriter, r *http.Request) {
		port, err := strconv.ParseUint(r.PathValue("port"), 10, 16)
		if err != nil || port == 0 {
			http.Error(w, "invalid port", http.StatusBadRequest)
			return
		}
		if r.PathValue("protocol") != "tcp" {
			http.Error(w, "only tcp is forwarded", http.StatusBadRequest)
			return
		}
		g, ok := l.(Guests)
		if !ok {
			http.Error(w, "port-forward is not served by this virt-handler", http.StatusServiceUnavailable)
			return
		}
		ep, err := g.GuestEndpoint(r.Context(), r.PathValue("namespace"), r.PathValue("name"))
		switch {
		case errors.Is(err, ErrNotHere):
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case errors.Is(err, ErrNoGuestAddress):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		servePortForward(w, r, ep, uint16(port), dial)
	})
}

// ErrNoGuestAddress: the VMI has no pod-network interface port-forward knows
// how to reach (no pod network, or a binding other than masquerade/bridge).
var ErrNoGuestAddress = errors.New("the VMI has no pod network interface with masquerade or bridge binding")

// servePortForward dials the guest first (a refused connection is still a
// plain HTTP answer, 502), then upgrades and copies bytes both ways.
func servePortForward(w http.ResponseWriter, r *http.Request, ep GuestEndpoint, port uint16, dial GuestDialer) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "port-forward needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	dctx, dcancel := context.WithTimeout(ctx, guestDialTimeout)
	guest, err := dial(dctx, ep, port)
	dcancel()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = guest.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = guest.Close() })
	defer stop()
	buf := make([]byte, portForwardChunk)
	relay(ctx, cancel, hj, PortForwardUpgrade, portForwardChunk,
		func(b []byte) error { _, err := guest.Write(b); return err },
		func() ([]byte, error) {
			n, err := guest.Read(buf)
			if n > 0 {
				return buf[:n], nil
			}
			if err == nil {
				err = io.ErrNoProgress
			}
			return nil, err
		})
}

const (
	// portForwardChunk is the largest read relayed at once, well below the
	// websocket read limit virt-api and virtctl apply.
	portForwardChunk = 32 << 10
	// guestDialTimeout bounds connecting to the guest's port.
	guestDialTimeout = 10 * time.Second
)
