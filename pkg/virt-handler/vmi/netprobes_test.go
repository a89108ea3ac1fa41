package vmi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
)

func TestProbeVerdict(t *testing.T) {
	pod := func(ready bool) *corev1.Pod {
		return &corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{
			{Name: "volumecontainerdisk", Ready: true}, {Name: computeContainer, Ready: ready}}}}
	}
	tests := []struct {
		name      string
		readiness bool
		pod       *corev1.Pod
		cur, want string
	}{
		{"no network readiness probe: unchanged", false, pod(false), "", ""},
		{"compute ready: ready", true, pod(true), "", ""},
		{"compute not ready: not ready", true, pod(false), "", vmistatus.ReasonReadinessProbe},
		{"no status yet: not ready", true, &corev1.Pod{}, "", vmistatus.ReasonReadinessProbe},
		{"an agent probe's verdict is kept", true, pod(true), "Other", "Other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := probeVerdict(tt.readiness, tt.pod, tt.cur); got != tt.want {
				t.Fatalf("probeVerdict = %q, want %q", got, tt.want)
			}
		})
	}
}
