package poll

import (
	"testing"
	"time"
)

// Interval is how often Eventually re-checks its condition.
const Interval = 50 * time.Millisecond

// Eventually calls cond until it returns nil or timeout passes, then fails tb with
// what and the last error cond returned.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if last = cond(); last == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not true after %s: last: %v", what, timeout, last)
		}
		time.Sleep(Interval)
	}
}
