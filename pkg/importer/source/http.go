package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// HTTPConfig says how to fetch an http(s) source.
type HTTPConfig struct {
	// URL is the image's address.
	URL string
	// CertDir holds extra PEM CA bundles (see TLSConfig).
	CertDir string
	// Insecure skips TLS verification.
	Insecure bool
	// Username and Password, when both set, are sent as basic auth.
	Username, Password string
	// Attempts is how many times a connection is tried (at least 1).
	Attempts int
	// Backoff is the wait after the first failed attempt; it doubles.
	Backoff time.Duration
}

// StatusError is a response other than 200 OK.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("expected status code 200, got %d (%s)", e.Code, http.StatusText(e.Code))
}

// OpenHTTP sends the GET and returns the body once the server answers 200,
// retrying connection errors and server-side failures with backoff.
func OpenHTTP(ctx context.Context, cfg HTTPConfig) (*Stream, error) {
	tlsCfg, err := TLSConfig(cfg.CertDir, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	// The image's own bytes, with their Content-Length for progress and the
	// size check: a gzip image is recognised by its magic, not the transport.
	transport.DisableCompression = true
	client := &http.Client{Transport: transport}
	var last error
	for attempt := 0; attempt < max(cfg.Attempts, 1); attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, Backoff(attempt, cfg.Backoff)); err != nil {
				return nil, last
			}
		}
		var s *Stream
		s, last = get(ctx, client, cfg)
		if last == nil {
			return s, nil
		}
		if !Retryable(last) {
			return nil, last
		}
	}
	return nil, last
}

func get(ctx context.Context, client *http.Client, cfg HTTPConfig) (*Stream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if cfg.Username != "" && cfg.Password != "" {
		req.SetBasicAuth(cfg.Username, cfg.Password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		return nil, &StatusError{Code: resp.StatusCode}
	}
	return &Stream{Body: resp.Body, Size: max(resp.ContentLength, 0)}, nil
}

// Retryable reports whether a failed GET may succeed when tried again: a
// connection error or a server-side status, not a client error such as 404 or
// 401 or a cancelled context.
func Retryable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var status *StatusError
	if errors.As(err, &status) {
		return status.Code >= 500 || status.Code == http.StatusTooManyRequests
	}
	return true
}

// maxBackoff caps the wait between attempts.
const maxBackoff = 30 * time.Second

// Backoff is the wait before attempt (1-based retries): base, 2*base, 4*base...
func Backoff(attempt int, base time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
