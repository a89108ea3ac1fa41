package subresources

import (
	"container/list"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lifetimes and size of the SubjectAccessReview cache. A granted answer is
// kept longer than a refusal, so a permission just granted works within
// seconds; a revoked one stops working within allowedTTL. Errors are never
// kept.
const (
	allowedTTL     = 10 * time.Second
	deniedTTL      = 2 * time.Second
	maxAuthzCached = 4096
)

// clock is the time source of the cache; tests substitute one.
type clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// authzDecision is one cached SubjectAccessReview answer.
type authzDecision struct {
	allowed bool
	reason  string
}

type authzEntry struct {
	key     string
	answer  authzDecision
	expires time.Time
}

// authzCache keeps recent SubjectAccessReview answers, keyed by everything
// the review asked, so a console reconnecting or a script calling start and
// stop in a loop does not cost one review per request. It holds at most max
// entries, evicting the least recently stored.
type authzCache struct {
	clock clock
	max   int
	mu    sync.Mutex
	byKey map[string]*list.Element // of *authzEntry
	order *list.List               // front: most recently stored
}

func newAuthzCache(c clock, max int) *authzCache {
	return &authzCache{clock: c, max: max, byKey: map[string]*list.Element{}, order: list.New()}
}

// authzKey names a review: user, groups, extra, verb and the target's
// resource, subresource, namespace and name, each quoted so no two distinct
// reviews share a key.
func authzKey(u user, verb string, t target) string {
	var b strings.Builder
	field := func(s string) { b.WriteString(strconv.Quote(s)); b.WriteByte(' ') }
	field(u.name)
	b.WriteString("groups ")
	for _, g := range u.groups {
		field(g)
	}
	b.WriteString("extra ")
	keys := make([]string, 0, len(u.extra))
	for k := range u.extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field(k)
		b.WriteString(strconv.Itoa(len(u.extra[k])) + " ")
		for _, v := range u.extra[k] {
			field(v)
		}
	}
	b.WriteString("attrs ")
	for _, s := range []string{verb, t.resource, t.sub, t.namespace, t.name} {
		field(s)
	}
	return b.String()
}

// get returns the unexpired answer for key.
func (c *authzCache) get(key string) (authzDecision, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return authzDecision{}, false
	}
	e := el.Value.(*authzEntry)
	if !c.clock.Now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return authzDecision{}, false
	}
	return e.answer, true
}

// put stores an answer for its lifetime (allowedTTL or deniedTTL).
func (c *authzCache) put(key string, answer authzDecision) {
	ttl := deniedTTL
	if answer.allowed {
		ttl = allowedTTL
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.Remove(el)
	}
	c.byKey[key] = c.order.PushFront(&authzEntry{key: key, answer: answer, expires: c.clock.Now().Add(ttl)})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*authzEntry).key)
	}
}

// len is the number of entries held, expired ones included.
func (c *authzCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// reviewFunc asks the apiserver; authorize caches what it answers.
type reviewFunc func(ctx context.Context, u user, verb string, t target) (bool, string, error)

// cached answers from c when it can, and otherwise asks review and keeps
// its answer (never an error).
func (c *authzCache) cached(review reviewFunc) reviewFunc {
	return func(ctx context.Context, u user, verb string, t target) (bool, string, error) {
		key := authzKey(u, verb, t)
		if d, ok := c.get(key); ok {
			return d.allowed, d.reason, nil
		}
		allowed, reason, err := review(ctx, u, verb, t)
		if err != nil {
			return false, "", err
		}
		c.put(key, authzDecision{allowed: allowed, reason: reason})
		return allowed, reason, nil
	}
}
