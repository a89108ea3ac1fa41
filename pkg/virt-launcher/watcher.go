package virtlauncher

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/virt-launcher/virtmanager"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// domainSource is what the watcher observes.
type domainSource interface {
	Domain() (*launcherv1.Domain, error)
}

// publisher hands domain reports to virt-handler's WatchDomain streams.
type publisher interface {
	Publish(event string, d *launcherv1.Domain, final bool)
	WaitAcked(timeout time.Duration) bool
}

// Resync periods of the watcher: with libvirt lifecycle events the domain is
// read on every event and every eventResync as a safety net; without them
// (registration failed) it falls back to polling every pollResync.
const (
	eventResync = 10 * time.Second
	pollResync  = 200 * time.Millisecond
)

// watcher reads the domain from the local libvirt whenever it is poked
// (libvirt lifecycle events, commands, the guest agent) or its resync period
// passes, and publishes every change on the command socket's WatchDomain
// stream, so the handler never has to poll launchers.
type watcher struct {
	source domainSource
	events publisher
	kick   chan struct{}
	last   *launcherv1.Domain
	resync time.Duration
}

func newWatcher(source domainSource, events publisher, resync time.Duration) *watcher {
	return &watcher{source: source, events: events, kick: make(chan struct{}, 1), resync: resync}
}

// poke makes the watcher look now rather than at the next tick.
func (w *watcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// run closes gone once a domain that was started (or failed to start) has
// stopped for good.
func (w *watcher) run(ctx context.Context, gone chan<- struct{}) {
	log := klog.FromContext(ctx)
	tick := time.NewTicker(w.resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.kick:
		}
		d, err := w.source.Domain()
		if err != nil || d == nil {
			continue
		}
		if !proto.Equal(d, w.last) {
			event := eventFor(w.last, d)
			log.V(2).Info("domain changed", "event", event, "state", d.State, "reason", d.Reason)
			w.events.Publish(event, d, finished(d))
			w.last = d
		}
		if finished(d) {
			close(gone)
			return
		}
	}
}

// reportFinal publishes the last state and waits until virt-handler took it
// (closed its stream after it) or timeout.
func (w *watcher) reportFinal(ctx context.Context, timeout time.Duration) {
	d, err := w.source.Domain()
	if err != nil || d == nil {
		d = w.last
	}
	if d == nil {
		return
	}
	if !proto.Equal(d, w.last) || !finished(d) {
		w.events.Publish(eventFor(w.last, d), d, true)
	}
	if !w.events.WaitAcked(timeout) {
		klog.FromContext(ctx).Info("could not report the final domain state to virt-handler")
	}
}

// finished: the domain ran (or failed to) and is now off.
func finished(d *launcherv1.Domain) bool {
	if d.Failure != "" {
		return true
	}
	return d.StartedUnixNano != 0 && d.State == virtmanager.StateShutoff
}

// eventFor names the transition from old to cur.
func eventFor(old, cur *launcherv1.Domain) string {
	switch {
	case cur.Failure != "":
		return "Failed"
	case cur.State == virtmanager.StateShutoff && cur.Reason == virtmanager.ReasonCrashed:
		return "Crashed"
	case cur.State == virtmanager.StateShutoff:
		return "Stopped"
	case cur.State == virtmanager.StatePaused:
		return "Suspended"
	case old != nil && old.State == virtmanager.StatePaused && cur.State == virtmanager.StateRunning:
		return "Resumed"
	case cur.State == virtmanager.StateRunning && (old == nil || old.State != virtmanager.StateRunning):
		return "Started"
	}
	return "Modified"
}
