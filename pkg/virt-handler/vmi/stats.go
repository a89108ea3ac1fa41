package vmi

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// RunningVMIs lists the Running VMIs of this node from the informer cache.
func (c *Controller) RunningVMIs() []*virtv1.VirtualMachineInstance {
	all, err := c.lister.List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*virtv1.VirtualMachineInstance
	for _, vmi := range all {
		if vmi.Status.Phase == virtv1.Running && vmi.Status.NodeName == c.cfg.NodeName {
			out = append(out, vmi)
		}
	}
	return out
}

// DomainStats asks the VMI's launcher for libvirt's bulk stats of its domain.
func (c *Controller) DomainStats(ctx context.Context, vmi *virtv1.VirtualMachineInstance) (*launcherv1.DomainStatsReply, error) {
	cl, err := c.launcher(ctx, vmi.Namespace, vmi.UID)
	if err != nil {
		return nil, err
	}
	if cl.Version < launcherv1.VersionDomainStats {
		return nil, fmt.Errorf("launcher speaks protocol %d, domain stats need %d", cl.Version, launcherv1.VersionDomainStats)
	}
	return cl.DomainStats(ctx, &launcherv1.Empty{})
}
