package importer

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"kvirt.io/kvirt/pkg/importer/source"
)

// registryRetryable reports whether a registry error may pass when tried
// again: a connection error or a server-side status, not a refusal such as
// an unknown repository or bad credentials.
func registryRetryable(err error) bool {
	var terr *transport.Error
	if errors.As(err, &terr) {
		return terr.StatusCode >= http.StatusInternalServerError || terr.StatusCode == http.StatusTooManyRequests
	}
	return !errors.Is(err, context.Canceled)
}

func waitBackoff(ctx context.Context, attempt int, o *Options) error {
	t := time.NewTimer(source.Backoff(attempt, o.Backoff))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
