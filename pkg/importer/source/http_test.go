package source

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", syscall.ECONNREFUSED, true},
		{"server error", &StatusError{Code: 503}, true},
		{"too many requests", &StatusError{Code: 429}, true},
		{"not found", &StatusError{Code: 404}, false},
		{"unauthorized", &StatusError{Code: 401}, false},
		{"cancelled", context.Canceled, false},
	}
	for _, tc := range cases {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("%s: Retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		want    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {10, maxBackoff}}
	for _, tc := range cases {
		if got := Backoff(tc.attempt, time.Second); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.attempt, got, tc.want)
		}
	}
}

func TestOpenHTTPRetriesServerErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("disk"))
	}))
	t.Cleanup(srv.Close)
	s, err := OpenHTTP(context.Background(), HTTPConfig{URL: srv.URL, Attempts: 3, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Body.Close()
	b, _ := io.ReadAll(s.Body)
	if string(b) != "disk" || s.Size != 4 || calls.Load() != 3 {
		t.Fatalf("body %q size %d after %d calls", b, s.Size, calls.Load())
	}
}

func TestOpenHTTPGivesUp(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	_, err := OpenHTTP(context.Background(), HTTPConfig{URL: srv.URL, Attempts: 3, Backoff: time.Millisecond})
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 404 || calls.Load() != 1 {
		t.Fatalf("error %v after %d calls, want one 404", err, calls.Load())
	}
}
