package metricsserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
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
