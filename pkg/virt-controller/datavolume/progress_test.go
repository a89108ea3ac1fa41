package datavolume

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestHTTPProgress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/progress" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("45.20\n"))
	}))
	t.Cleanup(srv.Close)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	n, _ := strconv.Atoi(port)
	read := HTTPProgress(srv.Client(), int32(n))
	pod := &corev1.Pod{Status: corev1.PodStatus{PodIP: host}}
	if got, err := read(context.Background(), pod); err != nil || got != "45.20" {
		t.Errorf("progress %q, %v; want 45.20", got, err)
	}
	if _, err := read(context.Background(), &corev1.Pod{}); err == nil {
		t.Error("a pod without IP has no progress")
	}
}
