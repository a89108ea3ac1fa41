package virthandler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"kvirt.io/kvirt/pkg/serverlimits"
)

// serveHealth answers GET /healthz with 200 "ok" on addr until ctx ends, and
// GET /readyz likewise once nodeAPIReady is closed (503 before: the node API
// has no certificate yet). It is started once the accelerator is chosen and
// the state store is open, so a DaemonSet readiness probe on /readyz passes
// only when the handler can take VMIs and serve virt-api; /healthz stays
// good while a certificate request is pending, so a liveness probe does not
// restart a handler that waits for its signer.
func serveHealth(ctx context.Context, addr string, nodeAPIReady <-chan struct{}) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-nodeAPIReady:
			_, _ = w.Write([]byte("ok"))
		default:
			http.Error(w, "node api serving certificate not issued yet", http.StatusServiceUnavailable)
		}
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("health listen on %s: %w", addr, err)
	}
	srv := serverlimits.Bound(&http.Server{Handler: mux,
		BaseContext: func(net.Listener) context.Context { return ctx }})
	stop := context.AfterFunc(ctx, func() { _ = srv.Close() })
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve health: %w", err)
	}
	return nil
}
