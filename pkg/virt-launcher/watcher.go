package virtlauncher

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/virt-launcher/virtmanager"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	notifyv1 "kvirt.io/kvirt/proto/notify/v1"
)

// domainSource is what the watcher observes.
type domainSource interface {
	Domain() (*launcherv1.Domain, error)
}

// notifier delivers domain events to virt-handler.
type notifier interface {
	notify(ctx context.Context, event string, d *launcherv1.Domain) error
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
// passes, and pushes every change to virt-handler, so the handler never has to
// poll launchers.
type watcher struct {
	source   domainSource
	notifier notifier
	kick     chan struct{}
	last     *launcherv1.Domain
	resync   time.Duration
}

func newWatcher(source domainSource, n notifier, resync time.Duration) *watcher {
	return &watcher{source: source, notifier: n, kick: make(chan struct{}, 1), resync: resync}
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
			if err := w.notifier.notify(ctx, event, d); err != nil {
				log.V(2).Info("notify virt-handler", "err", err.Error())
			}
			w.last = d
		}
		if finished(d) {
			close(gone)
			return
		}
	}
}

// reportFinal retries the last event until virt-handler took it or timeout.
func (w *watcher) reportFinal(ctx context.Context, timeout time.Duration) {
	d, err := w.source.Domain()
	if err != nil || d == nil {
		d = w.last
	}
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if err := w.notifier.notify(ctx, eventFor(w.last, d), d); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			klog.FromContext(ctx).Info("could not report the final domain state to virt-handler")
			return
		case <-time.After(200 * time.Millisecond):
		}
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

type grpcNotifier struct {
	socket string
}

func newNotifier(socket string) *grpcNotifier { return &grpcNotifier{socket: socket} }

func (n *grpcNotifier) notify(ctx context.Context, event string, d *launcherv1.Domain) error {
	conn, err := grpc.NewClient("unix://"+n.socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = notifyv1.NewNotifyClient(conn).DomainEvent(ctx, &notifyv1.DomainEventRequest{
		VmiUid: d.Uid, Event: event, Domain: d,
	})
	return err
}
