package virtlauncher

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestEventForAndFinished(t *testing.T) {
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: 1}
	tests := []struct {
		name         string
		old, cur     *launcherv1.Domain
		wantEvent    string
		wantFinished bool
	}{
		{"first report of a running domain", nil, running, "Started", false},
		{"paused", running, &launcherv1.Domain{State: "Paused", StartedUnixNano: 1}, "Suspended", false},
		{"resumed", &launcherv1.Domain{State: "Paused"}, running, "Resumed", false},
		{"guest powered off", running, &launcherv1.Domain{State: "Shutoff", Reason: "Shutdown", StartedUnixNano: 1}, "Stopped", true},
		{"qemu killed", running, &launcherv1.Domain{State: "Shutoff", Reason: "Crashed", StartedUnixNano: 1}, "Crashed", true},
		{"failed to start", nil, &launcherv1.Domain{State: "Shutoff", Failure: "disk"}, "Failed", true},
		{"defined but never started", nil, &launcherv1.Domain{State: "Shutoff"}, "Stopped", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := eventFor(tc.old, tc.cur); got != tc.wantEvent {
				t.Errorf("eventFor = %s, want %s", got, tc.wantEvent)
			}
			if got := finished(tc.cur); got != tc.wantFinished {
				t.Errorf("finished = %v, want %v", got, tc.wantFinished)
			}
		})
	}
}

type fakeSource struct {
	mu sync.Mutex
	d  *launcherv1.Domain
}

func (f *fakeSource) Domain() (*launcherv1.Domain, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return proto.Clone(f.d).(*launcherv1.Domain), nil
}

func (f *fakeSource) set(d *launcherv1.Domain) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d = d
}

type recordingPublisher struct{ events chan string }

func (p *recordingPublisher) Publish(event string, _ *launcherv1.Domain, _ bool) { p.events <- event }

func (p *recordingPublisher) WaitAcked(time.Duration) bool { return true }

// TestWatcherFollowsPokes: with lifecycle events the resync is long, and a
// poke (a libvirt event) alone makes the watcher report the new state.
func TestWatcherFollowsPokes(t *testing.T) {
	src := &fakeSource{d: &launcherv1.Domain{Name: "ns_v", State: "Running", StartedUnixNano: 1}}
	n := &recordingPublisher{events: make(chan string, 10)}
	w := newWatcher(src, n, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gone := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); w.run(ctx, gone) }()
	next := func(want string) {
		t.Helper()
		w.poke()
		select {
		case got := <-n.events:
			if got != want {
				t.Fatalf("event %s, want %s", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s event after a poke", want)
		}
	}
	next("Started")
	src.set(&launcherv1.Domain{Name: "ns_v", State: "Paused", StartedUnixNano: 1})
	next("Suspended")
	src.set(&launcherv1.Domain{Name: "ns_v", State: "Shutoff", Reason: "Shutdown", StartedUnixNano: 1})
	next("Stopped")
	select {
	case <-gone:
	case <-time.After(30 * time.Second):
		t.Fatal("watcher did not report the domain gone")
	}
	<-done
}
