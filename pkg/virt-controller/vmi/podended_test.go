package vmi

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// withCompute is pod with its compute container (and a container disk that
// still runs) in state.
func withCompute(pod *corev1.Pod, state corev1.ContainerState) *corev1.Pod {
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{
		{Name: "volumecontainerdisk", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
		{Name: launcherpod.ComputeContainer, State: state},
	}
	return pod
}

func exited(code int32, at time.Time) corev1.ContainerState {
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, FinishedAt: metav1.NewTime(at)}}
}

func TestLauncherPodEnded(t *testing.T) {
	at := now.Time
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	tests := []struct {
		name       string
		phase      virtv1.VirtualMachineInstancePhase
		pod        *corev1.Pod
		wantReason string
		wantRetry  time.Duration
	}{
		{"running pod", virtv1.Running, withCompute(podWith(corev1.PodRunning, "n1", true), running), "", 0},
		{"pod gone", virtv1.Running, nil, ReasonPodDeleted, 0},
		{"pod gone while Scheduled", virtv1.Scheduled, nil, ReasonPodDeleted, 0},
		{"Running, pod terminating: wait for the launcher", virtv1.Running, deleting(podWith(corev1.PodRunning, "n1", true)), "", 0},
		{"Scheduled, pod terminating", virtv1.Scheduled, deleting(podWith(corev1.PodRunning, "n1", true)), ReasonPodDeleted, 0},
		{"pod failed", virtv1.Running, podWith(corev1.PodFailed, "n1", false), ReasonPodFailed, 0},
		{"compute exited non-zero, pod still running", virtv1.Running,
			withCompute(podWith(corev1.PodRunning, "n1", false), exited(137, at)), ReasonLauncherExited, 0},
		{"compute exited 0 just now: the handler's turn", virtv1.Running,
			withCompute(podWith(corev1.PodRunning, "n1", false), exited(0, at.Add(-10*time.Second))), "", 20 * time.Second},
		{"compute exited 0 past the grace", virtv1.Running,
			withCompute(podWith(corev1.PodSucceeded, "n1", false), exited(0, at.Add(-HandlerGrace))), ReasonPodSucceeded, 0},
		{"pod succeeded without container status", virtv1.Scheduled, podWith(corev1.PodSucceeded, "n1", false), ReasonPodSucceeded, 0},
		{"compute waiting (restarting never happens, but no end)", virtv1.Running,
			withCompute(podWith(corev1.PodRunning, "n1", true), corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}), "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vmi := vmiIn(tc.phase, true)
			reason, retry := LauncherPodEnded(vmi, tc.pod, at)
			if reason != tc.wantReason || retry != tc.wantRetry {
				t.Errorf("LauncherPodEnded = %q, %s; want %q, %s", reason, retry, tc.wantReason, tc.wantRetry)
			}
			d := Decide(vmi, tc.pod, now)
			if (d.VMI.Status.Phase == virtv1.Failed) != (tc.wantReason != "") || d.RetryAfter != tc.wantRetry {
				t.Errorf("Decide: phase %s retry %s", d.VMI.Status.Phase, d.RetryAfter)
			}
		})
	}
}
