package loop

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoopRetriesErrorsAndRequeues(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	seen := make(chan string, 10)
	syncFn := func(_ context.Context, key string) (time.Duration, error) {
		mu.Lock()
		calls[key]++
		n := calls[key]
		mu.Unlock()
		seen <- key
		switch {
		case key == "fails" && n == 1:
			return 0, errors.New("transient")
		case key == "later" && n == 1:
			return 10 * time.Millisecond, nil
		}
		return 0, nil
	}
	l := New("test", syncFn, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx, 2); close(done) }()
	l.Add("fails")
	l.Add("later")
	l.Add("once")

	want := map[string]int{"fails": 2, "later": 2, "once": 1}
	got := map[string]int{}
	deadline := time.After(10 * time.Second)
	for len(got) < 3 || got["fails"] < 2 || got["later"] < 2 {
		select {
		case k := <-seen:
			got[k]++
		case <-deadline:
			t.Fatalf("syncs = %v, want %v", got, want)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s synced %d times, want %d", k, got[k], n)
		}
	}
}

func TestRunSyncedFailsWhenCachesNeverSync(t *testing.T) {
	l := New("test", func(context.Context, string) (time.Duration, error) { return 0, nil }, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.RunSynced(ctx, 1, func() bool { return false })
	if err == nil || !strings.Contains(err.Error(), "test: caches did not sync") {
		t.Fatalf("got %v, want a caches-did-not-sync error", err)
	}
}

func TestRateLimiterCapsBackoff(t *testing.T) {
	rl := RateLimiter()
	var last time.Duration
	for range 40 {
		last = rl.When("k")
	}
	if last != MaxRetryDelay {
		t.Fatalf("delay after 40 failures = %s, want the cap %s", last, MaxRetryDelay)
	}
	rl.Forget("k")
	if d := rl.When("k"); d > time.Second {
		t.Fatalf("delay after Forget = %s", d)
	}
}
