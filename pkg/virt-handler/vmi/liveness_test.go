package vmi

import (
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// A launcher that stops answering keeps its VMI Running until the watchdog
// expired (this failed the VMI at the first failed call before).
func TestSyncUnansweredLauncherFailsOnlyAfterWatchdog(t *testing.T) {
	c, client, root := newTestController(t, scheduledVMI(), "")
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	if vmi, _ := syncAndGet(t, c, client); vmi.Status.Phase != virtv1.Running {
		t.Fatalf("phase %s", vmi.Status.Phase)
	}
	f.mu.Lock()
	f.broken = true
	f.mu.Unlock()
	for range 3 {
		vmi, requeue := syncAndGet(t, c, client)
		if vmi.Status.Phase != virtv1.Running || requeue != launcherWait {
			t.Fatalf("unanswered launcher: phase %s reason %q requeue %s", vmi.Status.Phase, vmi.Status.Reason, requeue)
		}
	}
	// the first unanswered call was a watchdog period ago
	c.mu.Lock()
	c.live["uid-1"].unansweredSince = time.Now().Add(-c.cfg.LauncherWatchdog)
	c.mu.Unlock()
	vmi, _ := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Failed || vmi.Status.Reason != vmistatus.ReasonLauncherGone {
		t.Fatalf("after the watchdog: phase %s reason %q", vmi.Status.Phase, vmi.Status.Reason)
	}
}

// A launcher that answers again resets the watchdog.
func TestSyncAnswerResetsWatchdog(t *testing.T) {
	c, client, root := newTestController(t, scheduledVMI(), "")
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	syncAndGet(t, c, client)
	f.mu.Lock()
	f.broken = true
	f.mu.Unlock()
	syncAndGet(t, c, client)
	f.mu.Lock()
	f.broken = false
	f.mu.Unlock()
	syncAndGet(t, c, client)
	c.mu.Lock()
	since := c.live["uid-1"].unansweredSince
	c.mu.Unlock()
	if !since.IsZero() {
		t.Fatalf("unansweredSince %v after an answer", since)
	}
}

// A launcher whose connection breaks is synced again at once, not at the
// next resync.
func TestClosedLauncherConnectionResyncs(t *testing.T) {
	c, client, root := newTestController(t, scheduledVMI(), "")
	f := &fakeLauncher{}
	stop := serveLauncher(t, root, "pod-1", f)
	syncAndGet(t, c, client)
	for c.queue.Len() > 0 {
		key, _ := c.queue.Get()
		c.queue.Done(key)
	}
	stop()
	// wait for the evidence itself: a status update the informer delivers
	// late may queue the VMI before the connection broke
	deadline := time.Now().Add(30 * time.Second)
	for !launcherMarked(c, "uid-1") || c.queue.Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the broken connection did not queue the VMI")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The sync it triggers may still find the socket on its way out (the
	// verdict is then Unresponsive and the worker would retry a second
	// later): sync as that worker would until the VMI fails.
	vmi, _ := syncAndGet(t, c, client)
	for vmi.Status.Phase != virtv1.Failed {
		if time.Now().After(deadline) {
			t.Fatalf("after the launcher went: phase %s reason %q", vmi.Status.Phase, vmi.Status.Reason)
		}
		time.Sleep(50 * time.Millisecond)
		vmi, _ = syncAndGet(t, c, client)
	}
	if vmi.Status.Reason != vmistatus.ReasonLauncherGone {
		t.Fatalf("after the launcher went: phase %s reason %q", vmi.Status.Phase, vmi.Status.Reason)
	}
}

// launcherMarked: the handler saw uid's launcher connection close or its
// process exit.
func launcherMarked(c *Controller, uid string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.live[uid]
	return ok && (l.closed || l.exited)
}

// A launcher's report that arrives before the VMI's first sync stored a record
// starts the record and is kept for the sync that finds the launcher gone.
func TestStreamedReportBeforeFirstSyncIsKept(t *testing.T) {
	c, _, _ := newTestController(t, scheduledVMI(), "")
	c.onDomain("default", "uid-1", &launcherv1.Domain{Name: "default_vm", State: "Shutoff", Failure: "disk"})
	rec, found, err := c.cfg.Store.Get("uid-1")
	if err != nil || !found || rec.Name != "vm" || rec.GetDomain().GetFailure() != "disk" {
		t.Fatalf("record %+v found %v err %v", rec, found, err)
	}
	if d := c.lastReport("uid-1"); d.GetFailure() != "disk" {
		t.Fatalf("last report %v", d)
	}
}
