package vmi

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Reasons of the Synchronized=False condition taken from a launcher pod
// container that cannot start. The first two are upstream's and turn into the
// VM's printableStatus; the others are shown as the condition only (upstream
// has no printableStatus for them).
const (
	ReasonErrImagePull               = "ErrImagePull"
	ReasonImagePullBackOff           = "ImagePullBackOff"
	ReasonInvalidImageName           = "InvalidImageName"
	ReasonErrImageNeverPull          = "ErrImageNeverPull"
	ReasonCreateContainerConfigError = "CreateContainerConfigError"
	ReasonCreateContainerError       = "CreateContainerError"
)

// containerProblems are the kubelet's waiting reasons a launcher pod never
// recovers from by itself (or only after the user fixed something), so users
// must see them on the VMI and the VM.
var containerProblems = map[string]bool{
	ReasonErrImagePull: true, ReasonImagePullBackOff: true, ReasonInvalidImageName: true,
	ReasonErrImageNeverPull: true, ReasonCreateContainerConfigError: true, ReasonCreateContainerError: true,
}

// ContainerProblem is the first container of pod (init containers first, as
// they run first) the kubelet keeps waiting for one of containerProblems,
// as a Synchronized=False condition carrying the kubelet's reason and message;
// nil when there is none.
func ContainerProblem(pod *corev1.Pod) *virtv1.VirtualMachineInstanceCondition {
	statuses := append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...)
	for _, s := range statuses {
		w := s.State.Waiting
		if w == nil || !containerProblems[w.Reason] {
			continue
		}
		return &virtv1.VirtualMachineInstanceCondition{
			Type: virtv1.VirtualMachineInstanceSynchronized, Status: string(corev1.ConditionFalse),
			Reason: w.Reason, Message: w.Message,
		}
	}
	return nil
}

// mirrorContainerProblem sets or clears the VMI's Synchronized=False condition
// for a container of its launcher pod that cannot start. A Synchronized
// condition with another reason (a failed pod create) is left alone.
func mirrorContainerProblem(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now metav1.Time) {
	current := condition(vmi, virtv1.VirtualMachineInstanceSynchronized)
	problem := ContainerProblem(pod)
	if problem == nil {
		if current != nil && containerProblems[current.Reason] {
			removeCondition(vmi, virtv1.VirtualMachineInstanceSynchronized)
		}
		return
	}
	problem.LastTransitionTime = now
	if current != nil && current.Status == problem.Status {
		problem.LastTransitionTime = current.LastTransitionTime
	}
	setCondition(vmi, *problem)
}

func condition(vmi *virtv1.VirtualMachineInstance, t virtv1.VirtualMachineInstanceConditionType) *virtv1.VirtualMachineInstanceCondition {
	for i := range vmi.Status.Conditions {
		if vmi.Status.Conditions[i].Type == t {
			return &vmi.Status.Conditions[i]
		}
	}
	return nil
}
