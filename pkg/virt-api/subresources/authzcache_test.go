package subresources

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingReview answers allowed (or fails with err) and counts the reviews asked.
type countingReview struct {
	allowed bool
	err     error
	asked   int
}

func (r *countingReview) review(context.Context, user, string, target) (bool, string, error) {
	r.asked++
	return r.allowed, "because", r.err
}

var (
	alice    = user{name: "alice", groups: []string{"dev"}, extra: map[string]authorizationv1.ExtraValue{"scopes": {"a"}}}
	consoleT = target{namespace: "ns", resource: "virtualmachineinstances", name: "vm", sub: "console"}
)

// TestAuthzCacheLifetimes: an allowed answer is reused until 10 s passed, a
// denied one until 2 s, an error never.
func TestAuthzCacheLifetimes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		allowed     bool
		err         error
		reusedUntil time.Duration // last offset at which the answer is reused; 0: never
	}{
		{name: "allowed", allowed: true, reusedUntil: allowedTTL - time.Millisecond},
		{name: "denied", allowed: false, reusedUntil: deniedTTL - time.Millisecond},
		{name: "error", err: errors.New("apiserver down")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{now: time.Unix(1000, 0)}
			r := &countingReview{allowed: tc.allowed, err: tc.err}
			ask := newAuthzCache(clk, maxAuthzCached).cached(r.review)
			call := func() {
				ok, _, err := ask(context.Background(), alice, "get", consoleT)
				if (err != nil) != (tc.err != nil) || ok != tc.allowed {
					t.Fatalf("answer %v, %v", ok, err)
				}
			}
			call()
			clk.step(tc.reusedUntil)
			call()
			wantAsked := 1
			if tc.reusedUntil == 0 {
				wantAsked = 2
			}
			if r.asked != wantAsked {
				t.Fatalf("reviews after a second call within the lifetime: %d, want %d", r.asked, wantAsked)
			}
			clk.step(time.Millisecond)
			call()
			if r.asked != wantAsked+1 {
				t.Fatalf("reviews after the lifetime: %d, want %d", r.asked, wantAsked+1)
			}
		})
	}
}

// TestAuthzKeyCoversTheReview: changing any part of the review asks again.
func TestAuthzKeyCoversTheReview(t *testing.T) {
	variants := map[string]func(u *user, verb *string, t *target){
		"user":        func(u *user, _ *string, _ *target) { u.name = "bob" },
		"groups":      func(u *user, _ *string, _ *target) { u.groups = []string{"ops"} },
		"no groups":   func(u *user, _ *string, _ *target) { u.groups = nil },
		"extra value": func(u *user, _ *string, _ *target) { u.extra = map[string]authorizationv1.ExtraValue{"scopes": {"b"}} },
		"extra key":   func(u *user, _ *string, _ *target) { u.extra = map[string]authorizationv1.ExtraValue{"other": {"a"}} },
		"verb":        func(_ *user, v *string, _ *target) { *v = "update" },
		"resource":    func(_ *user, _ *string, t *target) { t.resource = "virtualmachines" },
		"subresource": func(_ *user, _ *string, t *target) { t.sub = "vnc" },
		"namespace":   func(_ *user, _ *string, t *target) { t.namespace = "other" },
		"name":        func(_ *user, _ *string, t *target) { t.name = "vm2" },
		// Quoting keeps a group list from reading as a name: ["a b"] vs ["a","b"].
		"split group": func(u *user, _ *string, _ *target) { u.groups = []string{"dev", ""} },
	}
	base := authzKey(alice, "get", consoleT)
	seen := map[string]string{base: "base"}
	for name, change := range variants {
		u := user{name: alice.name, groups: append([]string(nil), alice.groups...), extra: alice.extra}
		verb, tg := "get", consoleT
		change(&u, &verb, &tg)
		k := authzKey(u, verb, tg)
		if other, dup := seen[k]; dup {
			t.Errorf("%s has the same key as %s: %s", name, other, k)
		}
		seen[k] = name
	}
}

// TestAuthzCacheIsBounded: storing more than max answers drops the oldest.
func TestAuthzCacheIsBounded(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	c := newAuthzCache(clk, 4)
	for i := range 6 {
		c.put(fmt.Sprint(i), authzDecision{allowed: true})
	}
	if n := c.len(); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
	if _, ok := c.get("0"); ok {
		t.Error("oldest entry kept")
	}
	if _, ok := c.get("5"); !ok {
		t.Error("newest entry dropped")
	}
	if maxAuthzCached != 4096 {
		t.Errorf("cache bound %d", maxAuthzCached)
	}
}
