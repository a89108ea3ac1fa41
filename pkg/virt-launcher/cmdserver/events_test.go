package cmdserver

import (
	"context"
	"testing"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// A watcher gets the current report at once, then newer ones; the final one is
// acknowledged when the watcher closes its stream.
func TestEventsWatchAndFinalAck(t *testing.T) {
	e := NewEvents()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan *launcherv1.DomainEvent, 10)
	done := make(chan error, 1)
	go func() {
		done <- e.watch(ctx, func(ev *launcherv1.DomainEvent) error { got <- ev; return nil })
	}()
	next := func() *launcherv1.DomainEvent {
		select {
		case ev := <-got:
			return ev
		case <-time.After(30 * time.Second):
			t.Fatal("no event")
			return nil
		}
	}
	if ev := next(); ev.Event != "Current" || ev.Domain != nil {
		t.Fatalf("first event %v, want the current (empty) report", ev)
	}
	e.Publish("Started", &launcherv1.Domain{State: "Running"}, false)
	if ev := next(); ev.Event != "Started" || ev.Domain.State != "Running" {
		t.Fatalf("event %v, want Started", ev)
	}
	if e.WaitAcked(10 * time.Millisecond) {
		t.Fatal("acknowledged before any final report")
	}
	e.Publish("Stopped", &launcherv1.Domain{State: "Shutoff"}, true)
	if ev := next(); ev.Event != "Stopped" {
		t.Fatalf("event %v, want Stopped", ev)
	}
	cancel()
	if !e.WaitAcked(30 * time.Second) {
		t.Fatal("closing the stream after the final report did not acknowledge it")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
