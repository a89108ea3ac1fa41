package expectations

import (
	"sync"
	"time"
)

// Timeout after which unobserved expectations are dropped (an event was lost).
const Timeout = time.Minute

// Expectations counts outstanding adds and deletes per controller key.
type Expectations struct {
	mu      sync.Mutex
	pending map[string]*entry
	now     func() time.Time
}

type entry struct {
	adds, dels int
	at         time.Time
}

// New returns empty expectations.
func New() *Expectations {
	return &Expectations{pending: map[string]*entry{}, now: time.Now}
}

// Expect records that key's controller just made adds creations and dels deletions.
func (e *Expectations) Expect(key string, adds, dels int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en := e.pending[key]
	if en == nil {
		en = &entry{}
		e.pending[key] = en
	}
	en.adds += adds
	en.dels += dels
	en.at = e.now()
}

// Observed records an add (or, with deleted, a delete) seen by the informer.
func (e *Expectations) Observed(key string, deleted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en := e.pending[key]
	if en == nil {
		return
	}
	if deleted {
		en.dels--
	} else {
		en.adds--
	}
	if en.adds <= 0 && en.dels <= 0 {
		delete(e.pending, key)
	}
}

// Satisfied says whether the cache has caught up with key's writes (or they timed out).
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	en := e.pending[key]
	if en == nil {
		return true
	}
	if e.now().Sub(en.at) > Timeout {
		delete(e.pending, key)
		return true
	}
	return false
}

// Forget drops key's expectations (its owner is gone or a write failed).
func (e *Expectations) Forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, key)
}
