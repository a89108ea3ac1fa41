package vmi

import (
	"context"
	"errors"
	"time"

	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/network/podsetup"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// ReasonPodNetwork fails a VMI whose pod network binding cannot be planned
// (e.g. a vmNetworkCIDR that overlaps the pod's address).
const ReasonPodNetwork = "PodNetworkFailed"

// PodNetwork builds a VMI's pod network binding in its launcher's network
// namespace: podsetup.Ensure, or a fake in tests.
type PodNetwork interface {
	Ensure(nsPath string, vmi *virtv1.VirtualMachineInstance, stored []*podplan.Plan, owner podsetup.Owner,
		save func([]*podplan.Plan) error) ([]*podplan.Plan, error)
}

// Setup is the real PodNetwork.
type Setup struct{}

// Ensure runs podsetup.Ensure.
func (Setup) Ensure(nsPath string, vmi *virtv1.VirtualMachineInstance, stored []*podplan.Plan, owner podsetup.Owner,
	save func([]*podplan.Plan) error) ([]*podplan.Plan, error) {
	return podsetup.Ensure(nsPath, vmi, stored, owner, save)
}

// podNetworkError: the pod network binding could not be built; permanent
// when no retry can help (the plan itself is impossible).
type podNetworkError struct {
	err       error
	permanent bool
}

func (e *podNetworkError) Error() string { return "pod network binding: " + e.err.Error() }
func (e *podNetworkError) Unwrap() error { return e.err }

// buildPodNetwork builds the VMI's pod network binding in the network
// namespace of the launcher that answered (its peer process, checked by
// podsocket to be in the VMI's pod) and returns what the launcher needs. The
// plan is stored in the VMI's record before it is applied, so that a handler
// restart applies the same plan again.
func (c *Controller) buildPodNetwork(ctx context.Context, cl *launcherclient.Client, vmi *virtv1.VirtualMachineInstance,
	rec *statestore.Record) ([]*launcherv1.PodInterface, error) {
	if c.cfg.Network == nil || cl.Version < launcherv1.VersionPodNetwork {
		return nil, nil
	}
	if len(podplan.BoundInterfaces(vmi)) == 0 {
		return nil, nil
	}
	start := time.Now()
	save := func(p []*podplan.Plan) error {
		rec.PodNetworks, rec.PodNetwork = p, nil
		return c.cfg.Store.Put(*rec)
	}
	owner := podsetup.Owner{UID: cl.Peer.UID, GID: cl.Peer.GID}
	plans, err := c.cfg.Network.Ensure(podsetup.NetNSOfPID(cl.Peer.PID), vmi, rec.Plans(), owner, save)
	if err != nil {
		var planErr *podplan.Error
		return nil, &podNetworkError{err: err, permanent: errors.As(err, &planErr) ||
			errors.Is(err, podsetup.ErrOwnNetNS)}
	}
	out := make([]*launcherv1.PodInterface, 0, len(plans))
	for _, plan := range plans {
		klog.FromContext(ctx).Info("pod network binding built", "vmi", klog.KObj(vmi), "binding", plan.Binding,
			"interface", plan.Interface, "podInterface", plan.PodInterface, "tap", plan.Tap,
			"guest", plan.Lease.Addr.String(), "nat", len(plan.NAT), "launcherPid", cl.Peer.PID, "took", time.Since(start))
		out = append(out, plan.Proto())
	}
	return out, nil
}

// onPodNetworkError turns a failed build into the observation: a permanent
// failure fails the VMI, any other is retried.
func onPodNetworkError(ctx context.Context, vmi *virtv1.VirtualMachineInstance, err error,
	obs *vmistatus.Observed) (time.Duration, bool) {
	var nerr *podNetworkError
	if !errors.As(err, &nerr) {
		return 0, false
	}
	if nerr.permanent {
		obs.Failure, obs.FailureReason = nerr.Error(), ReasonPodNetwork
		return 0, true
	}
	klog.FromContext(ctx).Info("pod network binding not built yet", "vmi", klog.KObj(vmi), "err", err.Error())
	return launcherWait, true
}
