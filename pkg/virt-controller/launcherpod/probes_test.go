package launcherpod

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestRenderProbes(t *testing.T) {
	tcp := &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}
	http := &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(80)}
	tests := []struct {
		name                string
		readiness, liveness *virtv1.Probe
		wantReady, wantLive *corev1.Probe
	}{
		{name: "no probes: none on the pod"},
		{
			name:      "tcpSocket readiness with its timing",
			readiness: &virtv1.Probe{TCPSocket: tcp, InitialDelaySeconds: 5, PeriodSeconds: 2, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
			wantReady: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: tcp},
				InitialDelaySeconds: 5, PeriodSeconds: 2, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
		},
		{
			name:     "httpGet liveness",
			liveness: &virtv1.Probe{HTTPGet: http, PeriodSeconds: 10, FailureThreshold: 2},
			wantLive: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: http}, PeriodSeconds: 10, FailureThreshold: 2},
		},
		{
			name:      "exec and guestAgentPing stay virt-handler's",
			readiness: &virtv1.Probe{Exec: &corev1.ExecAction{Command: []string{"true"}}},
			liveness:  &virtv1.Probe{GuestAgentPing: &virtv1.GuestAgentPing{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmi := baseVMI()
			vmi.Spec.ReadinessProbe, vmi.Spec.LivenessProbe = tt.readiness, tt.liveness
			pod := Render(vmi, Config{})
			c := pod.Spec.Containers[0]
			if !reflect.DeepEqual(c.ReadinessProbe, tt.wantReady) {
				t.Errorf("readiness = %+v, want %+v", c.ReadinessProbe, tt.wantReady)
			}
			if !reflect.DeepEqual(c.LivenessProbe, tt.wantLive) {
				t.Errorf("liveness = %+v, want %+v", c.LivenessProbe, tt.wantLive)
			}
		})
	}
}

func TestStarted(t *testing.T) {
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	pod := func(conds []corev1.PodCondition, cs ...corev1.ContainerStatus) *corev1.Pod {
		return &corev1.Pod{Spec: corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conds, ContainerStatuses: cs}}
	}
	ready := []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"ready pod", pod(ready), true},
		{"no statuses, not ready", pod(nil), false},
		{"compute runs but is not ready yet (readiness probe)", pod(nil,
			corev1.ContainerStatus{Name: ComputeContainer, State: running}), true},
		{"compute waiting", pod(nil, corev1.ContainerStatus{Name: ComputeContainer}), false},
		{"another container not ready", pod(nil,
			corev1.ContainerStatus{Name: ComputeContainer, State: running},
			corev1.ContainerStatus{Name: "volumecontainerdisk", State: running}), false},
		{"a sidecar not ready", func() *corev1.Pod {
			p := pod(nil, corev1.ContainerStatus{Name: ComputeContainer, State: running})
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "guest-console-log", State: running}}
			return p
		}(), false},
		{"pending pod", &corev1.Pod{Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Started(tt.pod); got != tt.want {
				t.Fatalf("Started = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRenderTargetHasNoProbes(t *testing.T) {
	vmi := baseVMI()
	vmi.Spec.ReadinessProbe = &virtv1.Probe{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(22)}}
	vmi.Spec.LivenessProbe = &virtv1.Probe{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(22)}}
	if c := Render(vmi, Config{}).Spec.Containers[0]; c.ReadinessProbe == nil || c.LivenessProbe == nil {
		t.Fatal("the source pod lost its probes")
	}
	for _, c := range RenderTarget(vmi, "mig-1", "node01", Config{}, nil).Spec.Containers {
		if c.ReadinessProbe != nil || c.LivenessProbe != nil {
			t.Errorf("migration target container %s has probes", c.Name)
		}
	}
}
