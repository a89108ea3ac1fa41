package metricsserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/serverlimits"
)

// Serve listens on addr and serves metrics at /metrics and "ok" at /healthz in
// the background; wg counts its goroutines, which end after ctx does.
func Serve(ctx context.Context, wg *sync.WaitGroup, addr string, metrics http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	serve(ctx, wg, ln, metrics)
	return nil
}

// ServeTLS is Serve over TLS with the certificate getCert hands out (a
// reloaded file pair or a certificate issued at run time).
func ServeTLS(ctx context.Context, wg *sync.WaitGroup, addr string,
	getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), metrics http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	serve(ctx, wg, tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: getCert}), metrics)
	return nil
}

func serve(ctx context.Context, wg *sync.WaitGroup, ln net.Listener, metrics http.Handler) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	srv := serverlimits.Bound(&http.Server{Handler: mux})
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.FromContext(ctx).Error(err, "metrics server stopped")
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	klog.FromContext(ctx).Info("serving metrics", "address", ln.Addr().String())
}
