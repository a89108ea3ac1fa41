package vmi

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// ReasonLauncherExited: the launcher pod's compute container exited with an
// error while the VMI was Scheduled or Running.
const ReasonLauncherExited = "LauncherExited"

// HandlerGrace is how long a launcher that exited cleanly is left to
// virt-handler, which reports how the domain ended (Succeeded after a guest
// power-off), before the controller fails the VMI itself.
const HandlerGrace = 30 * time.Second

// LauncherPodEnded decides whether a VMI virt-handler owns (Scheduled or
// Running) fails because its launcher pod ended: deleted (for a Running VMI
// only once the pod is gone, since a graceful deletion lets the launcher shut
// the guest down and the handler report it), failed, or its compute container
// exited with an error. A compute container that exited 0 (or a Succeeded
// pod) is left to the handler for HandlerGrace: retry says when to look again.
func LauncherPodEnded(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now time.Time) (reason string, retry time.Duration) {
	switch {
	case pod == nil:
		return ReasonPodDeleted, 0
	case pod.DeletionTimestamp != nil && vmi.Status.Phase == virtv1.Scheduled:
		return ReasonPodDeleted, 0
	case pod.Status.Phase == corev1.PodFailed:
		return ReasonPodFailed, 0
	}
	term := computeTerminated(pod)
	if term != nil && term.ExitCode != 0 {
		return ReasonLauncherExited, 0
	}
	if term == nil && pod.Status.Phase != corev1.PodSucceeded {
		return "", 0
	}
	if term == nil || term.FinishedAt.IsZero() {
		return ReasonPodSucceeded, 0
	}
	if left := term.FinishedAt.Add(HandlerGrace).Sub(now); left > 0 {
		return "", left
	}
	return ReasonPodSucceeded, 0
}

// computeTerminated is the compute container's terminated state, nil while it
// has not terminated.
func computeTerminated(pod *corev1.Pod) *corev1.ContainerStateTerminated {
	for i := range pod.Status.ContainerStatuses {
		s := &pod.Status.ContainerStatuses[i]
		if s.Name == launcherpod.ComputeContainer {
			return s.State.Terminated
		}
	}
	return nil
}

// followHandledPod fails a VMI virt-handler owns when its launcher pod ended;
// it returns when to look again.
func followHandledPod(vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, now metav1.Time) time.Duration {
	if waiting, left := awaitsHandOver(vmi, now.Time); waiting {
		return left
	}
	reason, retry := LauncherPodEnded(vmi, pod, now.Time)
	if reason != "" {
		fail(vmi, reason, now)
	}
	return retry
}
