package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Counter counts bytes read of a source whose total may be unknown (0).
type Counter struct {
	read  atomic.Int64
	total atomic.Int64
}

// SetTotal sets the source's size in bytes (0: unknown).
func (c *Counter) SetTotal(n int64) { c.total.Store(n) }

// Reader returns r counting what is read through it.
func (c *Counter) Reader(r io.Reader) io.Reader { return &countingReader{r: r, c: c} }

// Percent is the share read so far, formatted as the endpoint serves it.
func (c *Counter) Percent() string { return Percent(c.read.Load(), c.total.Load()) }

type countingReader struct {
	r io.Reader
	c *Counter
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.c.read.Add(int64(n))
	return n, err
}

// Percent formats read/total as a percent with two decimals, "0.00" when the
// total is unknown, never above "100.00".
func Percent(read, total int64) string {
	if total <= 0 || read <= 0 {
		return "0.00"
	}
	p := float64(read) * 100 / float64(total)
	return fmt.Sprintf("%.2f", min(p, 100))
}

// Handler serves GET /progress from c.
func Handler(c *Counter) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /progress", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, c.Percent())
	})
	return mux
}

// Serve serves Handler(c) on l until ctx ends.
func Serve(ctx context.Context, l net.Listener, c *Counter) error {
	srv := &http.Server{Handler: Handler(c), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve progress: %w", err)
	}
	return nil
}
