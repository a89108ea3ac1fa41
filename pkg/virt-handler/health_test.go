package virthandler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestReadyzWaitsForTheNodeAPICertificate: /readyz answers 503 while the node
// API has no certificate and 200 after; /healthz is 200 throughout, so a
// slow signer never gets the handler restarted.
func TestReadyzWaitsForTheNodeAPICertificate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- serveHealth(ctx, addr, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve health: %v", err)
		}
	})
	get := func(path string) int {
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(fmt.Sprintf("http://%s%s", addr, path)) //nolint:noctx // local test server
			if err == nil {
				_ = resp.Body.Close()
				return resp.StatusCode
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", path, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if got := get("/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz before the certificate: %d", got)
	}
	if got := get("/readyz"); got != http.StatusServiceUnavailable {
		t.Fatalf("/readyz before the certificate: %d", got)
	}
	close(ready)
	if got := get("/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz after the certificate: %d", got)
	}
}
