package vmi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/migration"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// launcherWait is how often a VMI whose launcher is not up yet is retried.
const launcherWait = time.Second

// getDomainTimeout bounds one GetDomain call (a cheap read of the launcher).
const getDomainTimeout = 10 * time.Second

// sync drives one VMI; a positive duration asks to look again after it.
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	vmi, err := c.get(ns, name)
	if apierrors.IsNotFound(err) {
		return 0, c.forget(ctx, ns, name)
	}
	if err != nil {
		return 0, err
	}
	uid := string(vmi.UID)
	if vmi.Status.Phase.IsFinal() {
		return 0, c.ended(uid)
	}
	if vmi.Status.Phase != virtv1.Scheduled && vmi.Status.Phase != virtv1.Running {
		return 0, nil
	}
	role := migration.RoleOf(vmi, c.cfg.NodeName)
	if node := vmi.Status.NodeName; node != "" && node != c.cfg.NodeName && role != migration.RoleTarget {
		// a migration target that did not take the VMI over
		return 0, c.forget(ctx, ns, name)
	}
	rec, _, err := c.cfg.Store.Get(uid)
	if err != nil {
		return 0, err
	}
	rec.UID, rec.Namespace, rec.Name = uid, ns, name
	if role == migration.RoleTarget {
		return c.syncTarget(ctx, vmi, &rec)
	}
	return c.syncHere(ctx, vmi, &rec, role == migration.RoleSource)
}

// syncHere drives a VMI that runs (or is to run) on this node: it observes
// the launcher, follows a migration that leaves (source), stores rec and
// patches the status the handler owns.
func (c *Controller) syncHere(ctx context.Context, vmi *virtv1.VirtualMachineInstance, rec *statestore.Record,
	source bool) (time.Duration, error) {
	obs := vmistatus.Observed{NodeName: c.cfg.NodeName}
	requeue := time.Duration(0)
	var err error
	switch {
	case c.cfg.AcceleratorError != "" && vmi.Status.Phase == virtv1.Scheduled:
		obs.Failure, obs.FailureReason = c.cfg.AcceleratorError, vmistatus.ReasonNoAccelerator
	default:
		requeue, err = c.observe(ctx, vmi, rec, &obs)
		if err != nil {
			return 0, err
		}
	}
	if source {
		if requeue, err = c.syncSource(ctx, vmi, rec); err != nil {
			_ = c.cfg.Store.Put(*rec)
			return 0, err
		}
	}
	c.observePodProbes(vmi, rec, &obs)
	obs.NetworkStatus = c.pods.networkStatus(vmi.Namespace, vmi.UID)
	if err := c.cfg.Store.Put(*rec); err != nil {
		return 0, err
	}
	if migrated(obs.Domain) {
		// the domain left: the target's handler reports from now on
		return requeue, nil
	}
	st := vmistatus.Compute(vmi, obs, metav1.Now())
	if vmistatus.Changed(vmi, st) {
		if err := c.patchStatus(ctx, vmi, st); err != nil {
			return 0, err
		}
	}
	return requeue, nil
}

// get is the VMI from the informer of this node's VMIs, else from that of
// the VMIs migrating here.
func (c *Controller) get(ns, name string) (*virtv1.VirtualMachineInstance, error) {
	vmi, err := c.lister.VirtualMachineInstances(ns).Get(name)
	if apierrors.IsNotFound(err) {
		vmi, err = c.targets.VirtualMachineInstances(ns).Get(name)
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("get vmi: %w", err)
	}
	return vmi, err
}

// ended lets go of a VMI that finished: its connection, relays and record.
func (c *Controller) ended(uid string) error {
	c.closeRelays(uid)
	c.dropClient(uid)
	c.forgetLiveness(uid)
	return c.cfg.Store.Delete(uid)
}

// observe talks to the launcher: pushes the spec, forwards a shutdown, and
// reads the domain. Without an answer it falls back to the stored report, and
// LauncherVerdict decides whether the launcher is merely slow or gone.
func (c *Controller) observe(ctx context.Context, vmi *virtv1.VirtualMachineInstance, rec *statestore.Record,
	obs *vmistatus.Observed) (time.Duration, error) {
	c.track(rec.UID, rec.Namespace+"/"+rec.Name)
	start := time.Now()
	cl, err := c.launcher(ctx, vmi.Namespace, vmi.UID)
	var refused, absent, podGone bool
	if err == nil {
		rec.LauncherSeen = true
		d, derr := c.drive(ctx, cl, vmi, rec)
		if requeue, ok := onPodNetworkError(ctx, vmi, derr, obs); ok {
			obs.Domain = rec.GetDomain()
			return requeue, nil
		}
		if derr == nil {
			c.answered(rec.UID)
			rec.SetDomain(d)
			obs.Domain = d
			return c.observeAgent(ctx, cl, vmi, rec, d, obs), nil
		}
		err = derr
	} else {
		refused, absent = launcherclient.Refused(err), launcherclient.Absent(err)
		// a launcher that answered once had a pod: none live now means it ended
		podGone = errors.Is(err, errNoPod) && rec.LauncherSeen
	}
	// The launcher may have exited between calls, or be slow: drop the
	// connection and let the verdict say which.
	c.dropClient(rec.UID)
	lo := c.unanswered(rec.UID, rec.LauncherSeen, start)
	lo.SocketRefused, lo.SocketAbsent, lo.PodGone = refused, absent, podGone
	v := LauncherVerdict(lo, time.Now(), c.cfg.LauncherWatchdog)
	if v.Health != LauncherGone {
		if rec.LauncherSeen {
			klog.FromContext(ctx).V(2).Info("launcher did not answer", "vmi", klog.KObj(vmi), "err", err.Error())
		}
		obs.Domain = rec.GetDomain()
		return launcherWait, nil
	}
	// The launcher's last report may have arrived (WatchDomain) after rec was
	// read; this handler's own copy of the stream's last report is the newest.
	if fresh, found, ferr := c.cfg.Store.Get(rec.UID); ferr == nil && found {
		rec.Domain = fresh.Domain
	}
	if d := c.lastReport(rec.UID); d != nil {
		rec.SetDomain(d)
	}
	klog.FromContext(ctx).Info("launcher gone", "vmi", klog.KObj(vmi), "reason", v.Reason, "err", err.Error())
	obs.Domain = rec.GetDomain()
	obs.LauncherGone, obs.LauncherGoneMessage = true, v.Reason
	return 0, nil
}

func (c *Controller) drive(ctx context.Context, cl *launcherclient.Client, vmi *virtv1.VirtualMachineInstance,
	rec *statestore.Record) (*launcherv1.Domain, error) {
	log := klog.FromContext(ctx).WithValues("vmi", klog.KObj(vmi))
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	resp, err := getDomain(rctx, cl)
	if err != nil {
		return nil, err
	}
	d := resp.Domain
	if d == nil && vmi.DeletionTimestamp == nil {
		raw, err := json.Marshal(vmi)
		if err != nil {
			return nil, fmt.Errorf("encode vmi: %w", err)
		}
		podIfaces, err := c.buildPodNetwork(ctx, cl, vmi, rec)
		if err != nil {
			return nil, err
		}
		log.Info("syncing vmi to launcher", "accelerator", c.cfg.Accelerator)
		if err := launcherclient.Check(cl.SyncVMI(rctx, &launcherv1.SyncVMIRequest{
			VmiJson: raw, Accelerator: c.cfg.Accelerator, PodInterfaces: podIfaces})); err != nil {
			log.Info("launcher could not start the domain", "err", err.Error())
		}
		if resp, err = getDomain(rctx, cl); err != nil {
			return nil, err
		}
		d = resp.Domain
	}
	if vmi.DeletionTimestamp != nil && d != nil && d.State != "Shutoff" {
		grace := shutdownGrace(vmi, c.cfg.DefaultGrace)
		if !needsShutdown(rec, grace) {
			return d, nil
		}
		log.Info("vmi deleted, shutting the domain down", "grace", grace, "again", rec.ShutdownSent)
		if err := launcherclient.Check(cl.Shutdown(rctx, &launcherv1.ShutdownRequest{
			GracePeriodSeconds: int64(grace / time.Second)})); err != nil {
			return nil, fmt.Errorf("shutdown: %w", err)
		}
		rec.ShutdownSent, rec.ShutdownGraceSeconds = true, int64(grace/time.Second)
	}
	return d, nil
}

// getDomain asks for the domain with a deadline well inside the watchdog, so a
// stopped launcher is re-judged often rather than holding a worker.
func getDomain(ctx context.Context, cl *launcherclient.Client) (*launcherv1.DomainResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, getDomainTimeout)
	defer cancel()
	resp, err := cl.GetDomain(ctx, &launcherv1.Empty{})
	if err != nil {
		return nil, fmt.Errorf("get domain: %w", err)
	}
	return resp, nil
}

// shutdownGrace is the VMI's termination grace period now (virt-api shortens it
// for a forced stop), else the default.
func shutdownGrace(vmi *virtv1.VirtualMachineInstance, def time.Duration) time.Duration {
	if g := vmi.Spec.TerminationGracePeriodSeconds; g != nil {
		return time.Duration(*g) * time.Second
	}
	return def
}

// needsShutdown says whether a deleted VMI's launcher must be asked to shut
// down: not yet asked, or asked with a longer grace than the VMI has now. The
// launcher keeps the earliest deadline, so asking again only ever shortens it;
// a grace of 0 destroys the domain at once.
func needsShutdown(rec *statestore.Record, grace time.Duration) bool {
	return !rec.ShutdownSent || int64(grace/time.Second) < rec.ShutdownGraceSeconds
}

// migrated: the domain was shut off here because it left for a migration
// target.
func migrated(d *launcherv1.Domain) bool {
	return d != nil && d.State == "Shutoff" && d.Reason == "Migrated"
}

// forget handles a VMI that disappeared: stop its domain if a launcher still
// runs it, and drop what the handler remembered.
func (c *Controller) forget(ctx context.Context, ns, name string) error {
	records, err := c.cfg.Store.List()
	if err != nil {
		return err
	}
	for _, r := range records {
		if r.Namespace != ns || r.Name != name {
			continue
		}
		if cl, err := c.launcher(ctx, r.Namespace, types.UID(r.UID)); err == nil {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, _ = cl.Shutdown(rctx, &launcherv1.ShutdownRequest{GracePeriodSeconds: int64(c.cfg.DefaultGrace / time.Second)})
			cancel()
		}
		c.closeRelays(r.UID)
		c.dropClient(r.UID)
		c.forgetLiveness(r.UID)
		if err := c.cfg.Store.Delete(r.UID); err != nil {
			return err
		}
	}
	return nil
}
