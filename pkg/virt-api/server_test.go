package virtapi

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"testing"
	"time"

	"kvirt.io/kvirt/pkg/certs"
)

// servedCN dials the server and returns the common name it presents.
func servedCN(t *testing.T, addr string) string {
	t.Helper()
	// Only the presented certificate is read, so it is not verified.
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer func() { _ = conn.Close() }()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func TestServingCertificateRotatesWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	pair, err := certs.WriteSelfSigned(dir, "first", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	reloader, err := certs.NewReloader(pair.CertFile, pair.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		done <- run(ctx, ServerConfig{Listener: ln}, http.NewServeMux(), reloader, func() { close(ready) })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("server not ready")
	}
	if cn := servedCN(t, ln.Addr().String()); cn != "first" {
		t.Fatalf("serving %q, want first", cn)
	}
	if _, err := certs.WriteSelfSigned(dir, "second", []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if cn := servedCN(t, ln.Addr().String()); cn != "second" {
		t.Fatalf("after rotation serving %q, want second", cn)
	}
}
