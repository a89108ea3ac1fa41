package vmi

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// CurrentPod is the launcher pod that runs the VMI, among pods it controls:
// the newest on the VMI's node, or the newest of all before the VMI has a
// node. A migration target waits on another node until its handler moves the
// VMI there, and from then on it is the newest pod on the VMI's node.
func CurrentPod(vmi *virtv1.VirtualMachineInstance, pods []*corev1.Pod) *corev1.Pod {
	var cur *corev1.Pod
	for _, pod := range pods {
		if !ownedBy(pod, vmi.UID) {
			continue
		}
		if node := vmi.Status.NodeName; node != "" && pod.Spec.NodeName != node {
			continue
		}
		if vmi.Status.NodeName == "" && pod.Labels[virtv1.MigrationJobLabel] != "" {
			continue
		}
		if cur == nil || cur.CreationTimestamp.Before(&pod.CreationTimestamp) ||
			(cur.CreationTimestamp.Equal(&pod.CreationTimestamp) && pod.Name > cur.Name) {
			cur = pod
		}
	}
	return cur
}

// currentPodName is the name the VMI's current pod has: its migration's
// target pod once that took the VMI over, else the VMI's own launcher name.
func currentPodName(vmi *virtv1.VirtualMachineInstance) string {
	if st := vmi.Status.MigrationState; st != nil && st.Completed && !st.Failed && st.TargetPod != "" &&
		st.TargetNode != "" && st.TargetNode == vmi.Status.NodeName {
		return st.TargetPod
	}
	return launcherpod.Name(vmi)
}

// Replaced are the VMI's pods that a completed migration left behind: ended
// pods (or pods whose compute container ended: the console log sidecar
// outlives the launcher) that are not the current one. Target pods of a
// migration still going are the migration controller's.
func Replaced(vmi *virtv1.VirtualMachineInstance, pods []*corev1.Pod, current *corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, pod := range pods {
		ended := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed ||
			computeTerminated(pod) != nil
		if !ended || pod.DeletionTimestamp != nil || !ownedBy(pod, vmi.UID) ||
			(current != nil && pod.UID == current.UID) || activeTarget(vmi, pod) {
			continue
		}
		out = append(out, pod)
	}
	return out
}

// activeTarget: pod is the target of the VMI's migration that has not ended.
func activeTarget(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod) bool {
	st := vmi.Status.MigrationState
	return st != nil && !st.Completed && !st.Failed && st.MigrationUID != "" &&
		pod.Labels[virtv1.MigrationJobLabel] == st.MigrationUID
}

// HandOverTimeout bounds how long a completed migration's target may take to
// move the VMI to its node before the ended source pod fails the VMI.
const HandOverTimeout = 5 * time.Minute

// awaitsHandOver: the VMI's migration completed and its target's handler has
// not yet moved the VMI to its node (for up to HandOverTimeout). The source
// pod ends meanwhile (its launcher exits once the domain left), which must
// not fail the VMI; it returns how long the wait may go on.
func awaitsHandOver(vmi *virtv1.VirtualMachineInstance, now time.Time) (bool, time.Duration) {
	st := vmi.Status.MigrationState
	if st == nil || !st.Completed || st.Failed || st.TargetNode == "" || st.TargetNode == vmi.Status.NodeName {
		return false, 0
	}
	if st.EndTimestamp == nil {
		return true, HandOverTimeout
	}
	left := st.EndTimestamp.Add(HandOverTimeout).Sub(now)
	return left > 0, left
}
