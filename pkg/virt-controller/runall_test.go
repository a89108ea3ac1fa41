package virtcontroller

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestRunAllTreatsShutdownAsSuccess(t *testing.T) {
	stopped := func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("caches did not sync: %w", ctx.Err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := runAll(ctx, []func(context.Context) error{stopped, stopped}); err != nil {
		t.Fatalf("shutdown reported as failure: %v", err)
	}
	boom := errors.New("boom")
	failing := func(context.Context) error { return boom }
	if err := runAll(context.Background(), []func(context.Context) error{failing, stopped}); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the failure", err)
	}
}
