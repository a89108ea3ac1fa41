package vmi

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// PodAction is what the controller must do to the launcher pod.
type PodAction int

// Pod actions.
const (
	PodNone PodAction = iota
	PodCreate
	PodDelete
)

// Reasons the controller gives a VMI it fails.
const (
	ReasonPodFailed    = "LauncherPodFailed"
	ReasonPodDeleted   = "LauncherPodDeleted"
	ReasonPodSucceeded = "LauncherPodCompleted"
	// ReasonFailedCreate on the Synchronized=False condition: the pod could not be created.
	ReasonFailedCreate = "FailedCreate"
)

// CreateFailed is vmi with a Synchronized=False condition saying why its launcher
// pod could not be created; Decide removes it once the pod exists.
func CreateFailed(vmi *virtv1.VirtualMachineInstance, message string, now metav1.Time) *virtv1.VirtualMachineInstance {
	return CreateFailedFor(vmi, ReasonFailedCreate, message, now)
}

// CreateFailedFor is CreateFailed with the condition's reason: a claim the pod
// waits for (launcherpod.ReasonPVCNotFound, ReasonPVCNotBound) or ReasonFailedCreate.
func CreateFailedFor(vmi *virtv1.VirtualMachineInstance, reason, message string, now metav1.Time) *virtv1.VirtualMachineInstance {
	out := vmi.DeepCopy()
	for _, c := range out.Status.Conditions {
		if c.Type == virtv1.VirtualMachineInstanceSynchronized && c.Reason == reason && c.Message == message {
			return out
		}
	}
	setCondition(out, virtv1.VirtualMachineInstanceCondition{
		Type: virtv1.VirtualMachineInstanceSynchronized, Status: string(corev1.ConditionFalse),
		Reason: reason, Message: message, LastTransitionTime: now,
	})
	return out
}

// Decision is the outcome of Decide: a pod action and the VMI as it should be
// (a modified deep copy; equal to the input when nothing changes). The VMI change
// is applied only after the pod action succeeded.
type Decision struct {
	Pod PodAction
	VMI *virtv1.VirtualMachineInstance
	// RetryAfter, when positive, asks to decide again then without an event.
	RetryAfter time.Duration
}

// Decide computes the next step for vmi given its launcher pod (nil when there is
// none) at time now.
func Decide(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now metav1.Time) Decision {
	out := vmi.DeepCopy()
	d := Decision{VMI: out}
	if vmi.DeletionTimestamp != nil || vmi.Status.Phase.IsFinal() {
		if pod != nil && pod.DeletionTimestamp == nil {
			d.Pod = PodDelete
		}
		if pod == nil || abandonedOnDeadNode(vmi, pod) {
			removeFinalizer(out)
		}
		return d
	}
	switch vmi.Status.Phase {
	case virtv1.VmPhaseUnset, virtv1.Pending:
		addFinalizer(out)
		setPhase(out, virtv1.Pending, now)
		dropCreateFailure(out)
		if pod == nil {
			d.Pod = PodCreate
			setPhase(out, virtv1.Scheduling, now)
			return d
		}
		setPhase(out, virtv1.Scheduling, now)
		followPod(out, pod, now)
	case virtv1.Scheduling:
		followPod(out, pod, now)
	case virtv1.Scheduled, virtv1.Running:
		d.RetryAfter = followHandledPod(out, pod, now)
	}
	return d
}

// abandonedOnDeadNode: the VMI failed because its node stopped answering and
// its pod's deletion was asked for. No kubelet is there to finish that deletion
// until the node returns (its kubelet then stops the pod), so the VMI does not
// wait for it: its VirtualMachine can start a new one elsewhere.
func abandonedOnDeadNode(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod) bool {
	return vmi.Status.Phase == virtv1.Failed && vmi.Status.Reason == virtv1.NodeUnresponsiveReason && pod.DeletionTimestamp != nil
}

// followPod moves a Scheduling VMI along with its pod: Failed when the pod
// failed, finished or vanished, Scheduled once it runs ready on a node;
// meanwhile the pod's scheduling and container-start problems are shown on the VMI.
func followPod(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now metav1.Time) {
	switch {
	case pod == nil || pod.DeletionTimestamp != nil:
		fail(vmi, ReasonPodDeleted, now)
	case pod.Status.Phase == corev1.PodFailed:
		fail(vmi, ReasonPodFailed, now)
	case pod.Status.Phase == corev1.PodSucceeded:
		fail(vmi, ReasonPodSucceeded, now)
	case podReady(pod):
		schedule(vmi, pod, now)
	default:
		mirrorPodScheduled(vmi, pod)
		mirrorContainerProblem(vmi, pod, now)
	}
}

func schedule(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now metav1.Time) {
	setPhase(vmi, virtv1.Scheduled, now)
	vmi.Status.NodeName = pod.Spec.NodeName
	if vmi.Labels == nil {
		vmi.Labels = map[string]string{}
	}
	vmi.Labels[virtv1.NodeNameLabel] = pod.Spec.NodeName
	vmi.Status.ActivePods = map[string]string{string(pod.UID): pod.Spec.NodeName}
	if pod.Status.QOSClass != "" {
		qos := pod.Status.QOSClass
		vmi.Status.QosClass = &qos
	}
	removeCondition(vmi, virtv1.VirtualMachineInstancePodScheduled)
	mirrorContainerProblem(vmi, pod, now)
}

func fail(vmi *virtv1.VirtualMachineInstance, reason string, now metav1.Time) {
	setPhase(vmi, virtv1.Failed, now)
	vmi.Status.Reason = reason
}

// mirrorPodScheduled copies the pod's PodScheduled=False condition (for example
// Unschedulable) onto the VMI, where the VM controller and users look for it.
func mirrorPodScheduled(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod) {
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled {
			continue
		}
		if c.Status != corev1.ConditionFalse {
			removeCondition(vmi, virtv1.VirtualMachineInstancePodScheduled)
			return
		}
		setCondition(vmi, virtv1.VirtualMachineInstanceCondition{
			Type: virtv1.VirtualMachineInstancePodScheduled, Status: string(c.Status),
			Reason: c.Reason, Message: c.Message, LastTransitionTime: c.LastTransitionTime,
		})
	}
}

func podReady(pod *corev1.Pod) bool { return launcherpod.Started(pod) }

// setPhase sets the phase and records when it was first entered.
func setPhase(vmi *virtv1.VirtualMachineInstance, p virtv1.VirtualMachineInstancePhase, now metav1.Time) {
	vmi.Status.Phase = p
	for _, ts := range vmi.Status.PhaseTransitionTimestamps {
		if ts.Phase == p {
			return
		}
	}
	vmi.Status.PhaseTransitionTimestamps = append(vmi.Status.PhaseTransitionTimestamps,
		virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: p, PhaseTransitionTimestamp: now.DeepCopy()})
}

func addFinalizer(vmi *virtv1.VirtualMachineInstance) {
	finalizer.Add(vmi, virtv1.VirtualMachineInstanceFinalizer)
}

func removeFinalizer(vmi *virtv1.VirtualMachineInstance) {
	finalizer.Remove(vmi, virtv1.VirtualMachineInstanceFinalizer)
}

func setCondition(vmi *virtv1.VirtualMachineInstance, c virtv1.VirtualMachineInstanceCondition) {
	for i := range vmi.Status.Conditions {
		if vmi.Status.Conditions[i].Type == c.Type {
			vmi.Status.Conditions[i] = c
			return
		}
	}
	vmi.Status.Conditions = append(vmi.Status.Conditions, c)
}

var createFailures = map[string]bool{
	ReasonFailedCreate: true, launcherpod.ReasonPVCNotFound: true, launcherpod.ReasonPVCNotBound: true,
}

func dropCreateFailure(vmi *virtv1.VirtualMachineInstance) {
	for _, c := range vmi.Status.Conditions {
		if c.Type == virtv1.VirtualMachineInstanceSynchronized && createFailures[c.Reason] {
			removeCondition(vmi, virtv1.VirtualMachineInstanceSynchronized)
			return
		}
	}
}

func removeCondition(vmi *virtv1.VirtualMachineInstance, t virtv1.VirtualMachineInstanceConditionType) {
	var kept []virtv1.VirtualMachineInstanceCondition
	for _, c := range vmi.Status.Conditions {
		if c.Type != t {
			kept = append(kept, c)
		}
	}
	vmi.Status.Conditions = kept
}

// HoldPending is vmi kept in Pending (finalizer set) without a launcher pod:
// what Decide would do for a new VMI, short of creating the pod.
func HoldPending(vmi *virtv1.VirtualMachineInstance, now metav1.Time) *virtv1.VirtualMachineInstance {
	out := vmi.DeepCopy()
	addFinalizer(out)
	setPhase(out, virtv1.Pending, now)
	return out
}
