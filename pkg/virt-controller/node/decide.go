package node

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// DefaultHeartbeatTimeout is upstream's: five missed one-minute heartbeats.
const DefaultHeartbeatTimeout = 5 * time.Minute

// Decision is what Decide wants done about one node.
type Decision struct {
	// Unschedulable: label the node kubevirt.io/schedulable=false.
	Unschedulable bool
	// Fail lists the VMIs to fail with ReasonNodeUnresponsive.
	Fail []*virtv1.VirtualMachineInstance
	// RetryAfter, when positive, is when the heartbeat goes stale if nothing
	// else happens: the node is looked at again then.
	RetryAfter time.Duration
}

// Decide looks at node (nil when the Node object is gone) and the VMIs whose
// status.nodeName names it, at time now. A node without a heartbeat annotation
// never ran virt-handler and is left alone, as is one whose annotation does not
// parse (only virt-handler writes it). So is a deleted node: the pod garbage
// collector removes its pods, and the VMI controller fails VMIs whose pod is
// gone.
func Decide(nodeName string, node *corev1.Node, vmis []*virtv1.VirtualMachineInstance, now time.Time, timeout time.Duration) Decision {
	var d Decision
	if node == nil {
		return d
	}
	beat, ok := heartbeat(node)
	if !ok {
		return d
	}
	if left := beat.Add(timeout).Sub(now); left > 0 {
		d.RetryAfter = left
		return d
	}
	d.Unschedulable = node.Labels[virtv1.NodeSchedulable] != "false"
	if ready(node) {
		return d
	}
	for _, vmi := range vmis {
		if vmi.Status.NodeName == nodeName && handedOver(vmi.Status.Phase) {
			d.Fail = append(d.Fail, vmi)
		}
	}
	return d
}

// handedOver: the phases in which virt-handler owns the VMI, so only it could
// end them.
func handedOver(p virtv1.VirtualMachineInstancePhase) bool {
	return p == virtv1.Scheduled || p == virtv1.Running
}

func heartbeat(node *corev1.Node) (time.Time, bool) {
	raw, ok := node.Annotations[virtv1.VirtHandlerHeartbeat]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, raw)
	return t, err == nil
}

// ready: the kubelet's Ready condition is True.
func ready(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
