package vmi

import (
	"context"
	"time"

	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/probe"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// observeAgent reads the launcher's guest agent report and runs the VMI's
// guest agent probes that are due. It returns when to look again for the
// next probe (0: no probe pending).
func (c *Controller) observeAgent(ctx context.Context, cl *launcherclient.Client, vmi *virtv1.VirtualMachineInstance,
	rec *statestore.Record, d *launcherv1.Domain, obs *vmistatus.Observed) time.Duration {
	if cl.Version < launcherv1.VersionGuestAgent || d == nil || (d.State != "Running" && d.State != "Paused") {
		return 0
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if a, err := cl.GetGuestAgent(rctx, &launcherv1.Empty{}); err == nil {
		obs.Agent = a
	}
	if d.State != "Running" || obs.Agent.GetFsfreezeStatus() == "frozen" {
		// Probes wait while the guest is paused or its filesystems are frozen
		// (a frozen agent refuses guest-exec): both are deliberate.
		return 0
	}
	started := time.Unix(0, d.StartedUnixNano)
	now := time.Now()
	requeue := time.Duration(0)
	if p := vmi.Spec.ReadinessProbe; probe.Handled(p) {
		st, wait := c.runProbe(ctx, cl, p, rec.Readiness, started, now)
		rec.Readiness = st
		if !st.Passing {
			obs.NotReady = vmistatus.ReasonReadinessProbe
		}
		requeue = earliest(requeue, wait)
	}
	if p := vmi.Spec.LivenessProbe; probe.Handled(p) {
		st, wait := c.runProbe(ctx, cl, p, rec.Liveness, started, now)
		rec.Liveness = st
		if st.Decided && !st.Passing && vmi.DeletionTimestamp == nil {
			klog.FromContext(ctx).Info("liveness probe failed, killing the domain", "vmi", klog.KObj(vmi))
			kctx, kcancel := context.WithTimeout(ctx, 10*time.Second)
			_ = launcherclient.Check(cl.Kill(kctx, &launcherv1.Empty{}))
			kcancel()
		}
		requeue = earliest(requeue, wait)
	}
	return requeue
}

// runProbe runs p when it is due and returns its new state and when it is
// due next.
func (c *Controller) runProbe(ctx context.Context, cl *launcherclient.Client, p *virtv1.Probe, prev *probe.State,
	started, now time.Time) (*probe.State, time.Duration) {
	st := probe.State{}
	if prev != nil {
		st = *prev
	}
	t := probe.TimingOf(p)
	due, wait := probe.Due(st, t, started, now)
	if !due {
		return &st, wait
	}
	st = probe.Record(st, t, c.probeOnce(ctx, cl, p, t.Timeout), now)
	return &st, t.Period
}

// probeOnce runs the probe through the launcher's agent: guest-ping, or the
// exec probe's command (success is exit code 0).
func (c *Controller) probeOnce(ctx context.Context, cl *launcherclient.Client, p *virtv1.Probe, timeout time.Duration) bool {
	secs := int64(timeout / time.Second)
	rctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	if p.GuestAgentPing != nil {
		return launcherclient.Check(cl.GuestPing(rctx, &launcherv1.GuestPingRequest{TimeoutSeconds: secs})) == nil
	}
	res, err := cl.GuestExec(rctx, &launcherv1.GuestExecRequest{Command: probe.Exec(p), TimeoutSeconds: secs})
	return err == nil && res.Failure == "" && res.ExitCode == 0
}

func earliest(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}
