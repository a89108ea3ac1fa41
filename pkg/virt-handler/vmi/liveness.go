package vmi

import (
	"context"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/pidwatch"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
)

// launcherLiveness is what the handler learnt about one VMI's launcher since
// it started: the evidence LauncherVerdict weighs. It lives in memory only; a
// restarted handler begins again with a full watchdog period.
type launcherLiveness struct {
	key         string
	since       time.Time
	lastContact time.Time
	exited      bool
	closed      bool
	stopWatch   context.CancelFunc
}

// liveness returns the VMI's record, creating it (the watchdog starts now).
func (c *Controller) liveness(uid, key string) *launcherLiveness {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.live[uid]
	if !ok {
		l = &launcherLiveness{since: time.Now()}
		c.live[uid] = l
	}
	l.key = key
	return l
}

// observation is a snapshot of the evidence for LauncherVerdict.
func (c *Controller) observation(uid string, seen bool) LauncherObservation {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := LauncherObservation{Seen: seen}
	if l, ok := c.live[uid]; ok {
		o.Since, o.LastContact, o.ProcessExited, o.ConnectionClosed = l.since, l.lastContact, l.exited, l.closed
	}
	return o
}

// contacted records a successful reply of the launcher.
func (c *Controller) contacted(uid string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.live[uid]; ok {
		l.lastContact, l.closed = at, false
	}
}

// watchLauncher resyncs the VMI the moment its launcher process exits (pidfd on
// the pid from SO_PEERCRED) or its connection breaks. A pid of 0 (the
// launcher's pid namespace is not visible) leaves the connection watch and the
// watchdog.
func (c *Controller) watchLauncher(ctx context.Context, uid string, cl *launcherclient.Client) {
	wctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	l, ok := c.live[uid]
	if !ok {
		l = &launcherLiveness{since: time.Now()}
		c.live[uid] = l
	}
	if l.stopWatch != nil {
		l.stopWatch()
	}
	l.stopWatch = cancel
	c.mu.Unlock()
	mark := func(exited bool) {
		c.mu.Lock()
		key := l.key
		if exited {
			l.exited = true
		} else {
			l.closed = true
		}
		c.mu.Unlock()
		if key != "" {
			c.queue.Add(key)
		}
	}
	if err := pidwatch.Watch(wctx, int(cl.PeerPid), func() { mark(true) }); err != nil {
		klog.FromContext(ctx).V(2).Info("launcher process not watched; relying on its connection and the watchdog",
			"uid", uid, "peerPid", cl.PeerPid, "err", err.Error())
	}
	cl.OnClose(wctx, func() { mark(false) })
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
