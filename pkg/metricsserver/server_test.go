package metricsserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"kvirt.io/kvirt/pkg/certs"
)

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("m 1\n")) })
	if err := Serve(ctx, &wg, addr, metrics); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/metrics": "m 1\n", "/healthz": "ok"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(body) != want {
			t.Errorf("%s = %q, want %q", path, body, want)
		}
	}
	cancel()
	wg.Wait()
	if err := Serve(context.Background(), &wg, "256.0.0.1:1", metrics); err == nil {
		t.Error("Serve on a bad address succeeded")
	}
}

func TestServeTLS(t *testing.T) {
	pair, err := certs.WriteSelfSigned(t.TempDir(), "metrics", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("m 1\n")) })
	reloader, err := certs.NewReloader(pair.CertFile, pair.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := ServeTLS(ctx, &wg, addr, reloader.GetCertificate, metrics); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pair.CAPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != "m 1\n" {
		t.Errorf("/metrics = %q", body)
	}
	cancel()
	wg.Wait()
	if err := ServeTLS(context.Background(), &wg, "256.0.0.1:0", reloader.GetCertificate, metrics); err == nil {
		t.Error("ServeTLS on an address it cannot listen on succeeded")
	}
}
