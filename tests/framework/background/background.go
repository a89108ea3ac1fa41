// Package background runs a component in-process for the length of one test.
package background

import (
	"context"
	"testing"
	"time"

	"k8s.io/klog/v2"
)

// Run starts run on its own goroutine with a context carrying a logger named
// after the test; at the test's end it cancels that context and fails the test
// if run returned an error or did not stop within 30 seconds.
func Run(t *testing.T, name string, run func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background().WithName(t.Name())))
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop within 30s", name)
		}
	})
}
