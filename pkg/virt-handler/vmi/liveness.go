package vmi

import (
	"context"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/pidwatch"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// launcherLiveness is what the handler learnt about one VMI's launcher since
// it started: the evidence LauncherVerdict weighs. It lives in memory only; a
// restarted handler begins again with a full watchdog period.
type launcherLiveness struct {
	key string
	// unansweredSince is the first failed call since the last answer.
	unansweredSince time.Time
	exited          bool
	closed          bool
	stopWatch       context.CancelFunc
	// lastReport is the launcher's last WatchDomain report: a sync racing
	// with the stream (whose Put may overwrite the store's copy) still sees it.
	lastReport *launcherv1.Domain
}

// lastReport is the last domain uid's launcher streamed (nil if none).
func (c *Controller) lastReport(uid string) *launcherv1.Domain {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.live[uid]; ok {
		return l.lastReport
	}
	return nil
}

// liveness returns the VMI's record, creating it. c.mu must be held.
func (c *Controller) liveness(uid string) *launcherLiveness {
	l, ok := c.live[uid]
	if !ok {
		l = &launcherLiveness{}
		c.live[uid] = l
	}
	return l
}

// track remembers which queue key the VMI's launcher events resync.
func (c *Controller) track(uid, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.liveness(uid).key = key
}

// unanswered records a failed call at now and returns the evidence for
// LauncherVerdict.
func (c *Controller) unanswered(uid string, seen bool, now time.Time) LauncherObservation {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.liveness(uid)
	if l.unansweredSince.IsZero() {
		l.unansweredSince = now
	}
	return LauncherObservation{Seen: seen, UnansweredSince: l.unansweredSince, ProcessExited: l.exited,
		ConnectionClosed: l.closed}
}

// answered records a successful call of the launcher.
func (c *Controller) answered(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.liveness(uid)
	l.unansweredSince, l.closed = time.Time{}, false
}

// watchLauncher resyncs the VMI the moment its launcher process exits (pidfd on
// the peer pid podsocket read from SO_PEERCRED) or its connection breaks. A pid
// of 0 (the launcher's pid namespace is not visible) leaves the connection
// watch and the watchdog.
func (c *Controller) watchLauncher(ctx context.Context, uid string, cl *launcherclient.Client) {
	wctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	l := c.liveness(uid)
	if l.stopWatch != nil {
		l.stopWatch()
	}
	l.stopWatch = cancel
	c.mu.Unlock()
	if err := pidwatch.Watch(wctx, int(cl.Peer.PID), func() { c.markLauncher(uid, cl, true) }); err != nil {
		klog.FromContext(ctx).V(2).Info("launcher process not watched; relying on its connection and the watchdog",
			"uid", uid, "peerPid", cl.Peer.PID, "err", err.Error())
	}
	cl.OnClose(wctx, func() { c.markLauncher(uid, cl, false) })
}

// markLauncher records that cl's launcher process exited or its connection
// (or its WatchDomain stream) closed, drops cl so the next sync dials afresh
// (a refused dial is evidence, a broken cached connection is not), and resyncs
// the VMI.
func (c *Controller) markLauncher(uid string, cl *launcherclient.Client, exited bool) {
	c.mu.Lock()
	l := c.liveness(uid)
	key := l.key
	if exited {
		l.exited = true
	} else {
		l.closed = true
	}
	var stale *launcher
	if cur, ok := c.clients[uid]; ok && cur.Client == cl {
		stale = cur
		delete(c.clients, uid)
	}
	c.mu.Unlock()
	if stale != nil {
		stale.close()
	}
	if key != "" {
		c.queue.Add(key)
	}
}

// stopWatching ends the watches of the VMI's launcher, keeping what they saw.
func (c *Controller) stopWatching(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.live[uid]; ok && l.stopWatch != nil {
		l.stopWatch()
		l.stopWatch = nil
	}
}

// forgetLiveness drops everything known about the VMI's launcher.
func (c *Controller) forgetLiveness(uid string) {
	c.stopWatching(uid)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.live, uid)
}
