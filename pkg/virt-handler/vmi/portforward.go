package vmi

import (
	"context"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/netnsdial"
	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
)

// GuestAddress is where port-forward reaches the guest from inside its
// launcher pod's network namespace: with masquerade the guest's address on
// the in-pod network (the second host of vmNetworkCIDR, 10.0.2.2 by
// default), with bridge the pod IP, which the guest holds itself. Any other
// binding, or no pod network, has none.
func GuestAddress(vmi *virtv1.VirtualMachineInstance, podIP string) (netip.Addr, error) {
	var pod *virtv1.Network
	for i := range vmi.Spec.Networks {
		if vmi.Spec.Networks[i].Pod != nil {
			pod = &vmi.Spec.Networks[i]
		}
	}
	if pod == nil {
		return netip.Addr{}, nodeapi.ErrNoGuestAddress
	}
	for _, iface := range vmi.Spec.Domain.Devices.Interfaces {
		if iface.Name != pod.Name {
			continue
		}
		switch {
		case iface.Masquerade != nil:
			// The address virt-handler gave the guest when it built the binding.
			_, guest, err := podplan.GuestNetwork(pod.Pod)
			return guest.Addr(), err
		case iface.Bridge != nil:
			addr, err := netip.ParseAddr(podIP)
			if err != nil {
				return netip.Addr{}, fmt.Errorf("launcher pod has no IP yet (%q): %w", podIP, err)
			}
			return addr, nil
		}
	}
	return netip.Addr{}, nodeapi.ErrNoGuestAddress
}

// GuestEndpoint is what the node API's port-forward needs of a VMI running
// here: its launcher's network namespace (from the launcher's pid, which the
// command socket's peer credentials proved) and the guest's address in it.
func (c *Controller) GuestEndpoint(ctx context.Context, namespace, name string) (nodeapi.GuestEndpoint, error) {
	cl, found, err := c.Launcher(ctx, namespace, name)
	if !found {
		return nodeapi.GuestEndpoint{}, nodeapi.ErrNotHere
	}
	if err != nil {
		return nodeapi.GuestEndpoint{}, err
	}
	vmi, err := c.lister.VirtualMachineInstances(namespace).Get(name)
	if err != nil {
		return nodeapi.GuestEndpoint{}, fmt.Errorf("get vmi: %w", err)
	}
	addr, err := GuestAddress(vmi, c.pods.podIP(namespace, vmi.UID))
	if err != nil {
		return nodeapi.GuestEndpoint{}, err
	}
	if cl.Peer.PID <= 0 {
		return nodeapi.GuestEndpoint{}, fmt.Errorf("launcher of %s/%s has no known pid", namespace, name)
	}
	return nodeapi.GuestEndpoint{NetNS: netnsdial.Path(cl.Peer.PID), Addr: addr}, nil
}

// podIP is the IP of the VMI's live launcher pod, empty when unknown.
func (p launcherPods) podIP(namespace string, vmiUID types.UID) string {
	t, err := p.target(namespace, vmiUID)
	if err != nil {
		return ""
	}
	pods, err := p.lister.Pods(namespace).List(labels.SelectorFromSet(labels.Set{virtv1.CreatedByLabel: string(vmiUID)}))
	if err != nil {
		return ""
	}
	for _, pod := range pods {
		if pod.UID == t.PodUID && pod.Status.Phase == corev1.PodRunning {
			return pod.Status.PodIP
		}
	}
	return ""
}
