package hostpath

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"k8s.io/klog/v2"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// SocketPath turns a CSI endpoint (unix:///path or an absolute path) into the
// socket's path.
func SocketPath(endpoint string) (string, error) {
	p := strings.TrimPrefix(endpoint, "unix://")
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("endpoint %q is not unix:///absolute/path", endpoint)
	}
	return filepath.Clean(p), nil
}

// listenUnix listens on path, replacing a stale socket a previous run left.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create socket dir: %w", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

// NewCSIServer returns a gRPC server with the identity, controller and node
// services of d.
func NewCSIServer(d *Driver) *grpc.Server {
	s := grpc.NewServer()
	csi.RegisterIdentityServer(s, &identityServer{d: d})
	csi.RegisterControllerServer(s, &controllerServer{d: d})
	csi.RegisterNodeServer(s, &nodeServer{d: d})
	return s
}

// NewRegistrationServer returns the gRPC server the kubelet's plugin watcher
// talks to; kubeletEndpoint is the CSI socket's path on the host.
func NewRegistrationServer(kubeletEndpoint string, log klog.Logger) *grpc.Server {
	s := grpc.NewServer()
	registerapi.RegisterRegistrationServer(s, &registrationServer{endpoint: kubeletEndpoint, log: log})
	return s
}

// RegistrationSocket is the socket name the kubelet's plugin watcher looks
// for in dir.
func RegistrationSocket(dir string) string {
	return filepath.Join(dir, DriverName+"-reg.sock")
}

// HealthHandler serves /healthz: 200 while d is healthy, 503 otherwise.
func HealthHandler(d *Driver) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		if err := d.healthy(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// serveGRPC serves s on l until ctx ends.
func serveGRPC(ctx context.Context, s *grpc.Server, l net.Listener) error {
	go func() {
		<-ctx.Done()
		s.GracefulStop()
	}()
	// ErrServerStopped: the context ended before Serve started.
	if err := s.Serve(l); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve %s: %w", l.Addr(), err)
	}
	return nil
}

// serveHTTP serves h on addr until ctx ends.
func serveHTTP(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve health on %s: %w", addr, err)
	}
	return nil
}
