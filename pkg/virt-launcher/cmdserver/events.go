package cmdserver

import (
	"context"
	"sync"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Events hands the launcher's domain reports to WatchDomain streams. It keeps
// only the latest report: virt-handler re-reads what it needs on every event,
// so a slow watcher sees the newest state rather than a backlog.
type Events struct {
	mu      sync.Mutex
	gen     uint64
	last    *launcherv1.DomainEvent
	final   bool
	watches map[chan struct{}]struct{}
	acked   chan struct{}
	ackOnce sync.Once
}

// NewEvents starts with no domain reported.
func NewEvents() *Events {
	return &Events{gen: 1, last: &launcherv1.DomainEvent{Event: "Current"},
		watches: map[chan struct{}]struct{}{}, acked: make(chan struct{})}
}

// Publish makes d the current report; final marks the domain as gone for good.
func (e *Events) Publish(event string, d *launcherv1.Domain, final bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gen++
	e.last = &launcherv1.DomainEvent{Event: event, Domain: d}
	e.final = final
	for w := range e.watches {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

func (e *Events) current() (*launcherv1.DomainEvent, uint64, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last, e.gen, e.final
}

func (e *Events) add() chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := make(chan struct{}, 1)
	e.watches[w] = struct{}{}
	return w
}

func (e *Events) remove(w chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.watches, w)
}

// watch sends the current report, then every newer one, until ctx ends. Once
// it sent the final report it waits for the watcher to close the stream, which
// acknowledges it (see WaitAcked).
func (e *Events) watch(ctx context.Context, send func(*launcherv1.DomainEvent) error) error {
	w := e.add()
	defer e.remove(w)
	sent := uint64(0)
	for {
		ev, gen, final := e.current()
		if gen != sent {
			if err := send(ev); err != nil {
				return err
			}
			sent = gen
			if final {
				<-ctx.Done()
				e.ackOnce.Do(func() { close(e.acked) })
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w:
		}
	}
}

// WaitAcked waits until a watcher closed its stream after the final report,
// or timeout; it says whether one did.
func (e *Events) WaitAcked(timeout time.Duration) bool {
	select {
	case <-e.acked:
		return true
	case <-time.After(timeout):
		return false
	}
}
