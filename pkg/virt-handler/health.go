package virthandler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"kvirt.io/kvirt/pkg/serverlimits"
)

// serveHealth answers GET /healthz with 200 "ok" on addr until ctx ends. It is
// started once the accelerator is chosen and the state store is open, so a
// DaemonSet readiness probe passes only when the handler can take VMIs.
func serveHealth(ctx context.Context, addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
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
