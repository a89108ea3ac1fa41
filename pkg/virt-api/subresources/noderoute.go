package subresources

import (
	"fmt"
	"net"
	"net/http"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// unavailable is a refusal answered 503.
func unavailable(format string, args ...any) *refusal {
	return &refusal{code: http.StatusServiceUnavailable, msg: fmt.Sprintf(format, args...)}
}

// decideNodeRequest says whether a node-side subresource may be forwarded for
// this VMI, following upstream: vnc and its screenshot need a graphics device
// (400 "No graphics devices are present." when autoattachGraphicsDevice is
// false); reset has its own answers (see decideReset); the VMI must be running;
// pause refuses an already paused VMI, unpause one that is not paused;
// softreboot refuses a paused VMI; pause refuses a VMI with a liveness probe
// other than guestAgentPing; guestosinfo, userlist, filesystemlist, freeze and
// unfreeze need a connected guest agent
// (AgentConnected condition).
func decideNodeRequest(sub string, vmi *virtv1.VirtualMachineInstance) *refusal {
	if a := vmi.Spec.Domain.Devices.AutoattachGraphicsDevice; (sub == subVNC || sub == subScreenshot) && a != nil && !*a {
		return badRequest(msgNoGraphics)
	}
	if sub == "reset" {
		if ref := decideReset(vmi); ref != nil {
			return ref
		}
	}
	if vmi.Status.NodeName == "" {
		return unavailable("VMI %s has no node yet", vmi.Name)
	}
	if vmi.Status.Phase != virtv1.Running {
		return conflict("VMI %s is not running", vmi.Name)
	}
	return decideOnRunning(sub, vmi)
}

// decideOnRunning is decideNodeRequest's part for a VMI running on a node.
func decideOnRunning(sub string, vmi *virtv1.VirtualMachineInstance) *refusal {
	paused := hasCondition(vmi, virtv1.VirtualMachineInstancePaused)
	switch sub {
	case "pause":
		if paused {
			return conflict("VMI %s is already paused", vmi.Name)
		}
		if p := vmi.Spec.LivenessProbe; p != nil && p.GuestAgentPing == nil {
			return conflict("Pausing VMIs with LivenessProbe is currently not supported")
		}
	case "unpause":
		if !paused {
			return conflict("VMI %s is not paused", vmi.Name)
		}
	case "softreboot":
		if paused {
			return conflict("VMI %s is paused", vmi.Name)
		}
	case "guestosinfo", "userlist", "filesystemlist", "freeze", "unfreeze":
		if !hasCondition(vmi, virtv1.VirtualMachineInstanceAgentConnected) {
			return conflict("VMI %s does not have guest agent connected", vmi.Name)
		}
	}
	return nil
}

// decideReset refuses a reset of a VMI that is not running with upstream's
// message: 400 for a VMI virt-api cannot reach a handler for (neither Running
// nor Scheduled), 409 for a Scheduled one (upstream asks its handler, which
// has no domain to reset yet). A paused VMI may be reset: it stays paused.
func decideReset(vmi *virtv1.VirtualMachineInstance) *refusal {
	phase := vmi.Status.Phase
	prefix := fmt.Sprintf("Failed to reset non-running VMI with phase %s: ", phase)
	switch phase {
	case virtv1.Running:
		return nil
	case virtv1.Scheduled:
		return conflict("%sVMI %s is not running", prefix, vmi.Name)
	}
	return badRequest(fmt.Sprintf("%sUnable to connect to VirtualMachineInstance because phase is %s instead of %s or %s",
		prefix, phase, virtv1.Running, virtv1.Scheduled))
}

func hasCondition(vmi *virtv1.VirtualMachineInstance, typ virtv1.VirtualMachineInstanceConditionType) bool {
	for _, c := range vmi.Status.Conditions {
		if c.Type == typ && c.Status == string(corev1.ConditionTrue) {
			return true
		}
	}
	return false
}

// handlerAddress is where the node's virt-handler serves its node API: the
// address it published on its Node, with the node's InternalIP when the
// published host is empty.
func handlerAddress(node *corev1.Node) (string, *refusal) {
	published := node.Annotations[virtv1.NodeAPIAddressAnnotation]
	if published == "" {
		return "", unavailable("virt-handler on node %s publishes no node API address", node.Name)
	}
	host, port, err := net.SplitHostPort(published)
	if err != nil || port == "" {
		return "", unavailable("node %s: bad node API address %q", node.Name, published)
	}
	if host != "" {
		return published, nil
	}
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && a.Address != "" {
			return net.JoinHostPort(a.Address, port), nil
		}
	}
	return "", unavailable("node %s has no InternalIP to reach virt-handler on port %s", node.Name, port)
}
