package vmistatus

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func vmiIn(phase virtv1.VirtualMachineInstancePhase) *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{Status: virtv1.VirtualMachineInstanceStatus{Phase: phase}}
}

func cond(s virtv1.VirtualMachineInstanceStatus, t virtv1.VirtualMachineInstanceConditionType) *virtv1.VirtualMachineInstanceCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

func TestCompute(t *testing.T) {
	started := time.Now().UnixNano()
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: started, QemuPid: 42}
	tests := []struct {
		name       string
		vmi        *virtv1.VirtualMachineInstance
		obs        Observed
		wantPhase  virtv1.VirtualMachineInstancePhase
		wantReason string
		wantReady  string
		wantPaused bool
		wantMsg    string
	}{
		{name: "no launcher yet keeps Scheduled", vmi: vmiIn(virtv1.Scheduled), obs: Observed{},
			wantPhase: virtv1.Scheduled, wantReady: "False"},
		{name: "running domain", vmi: vmiIn(virtv1.Scheduled), obs: Observed{Domain: running},
			wantPhase: virtv1.Running, wantReady: "True"},
		{name: "paused domain", vmi: vmiIn(virtv1.Running),
			obs:       Observed{Domain: &launcherv1.Domain{State: "Paused", StartedUnixNano: started}},
			wantPhase: virtv1.Running, wantReady: "False", wantPaused: true},
		{name: "paused by a migration's switchover is no user pause", vmi: vmiIn(virtv1.Running),
			obs:       Observed{Domain: &launcherv1.Domain{State: "Paused", Reason: "Migrating", StartedUnixNano: started}},
			wantPhase: virtv1.Running, wantReady: "False"},
		{name: "guest powered off", vmi: vmiIn(virtv1.Running),
			obs:       Observed{Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Shutdown", StartedUnixNano: started}},
			wantPhase: virtv1.Succeeded, wantReady: "False"},
		{name: "destroyed after a requested shutdown", vmi: vmiIn(virtv1.Running),
			obs: Observed{Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Destroyed", StartedUnixNano: started,
				ShutdownRequested: true}},
			wantPhase: virtv1.Succeeded, wantReady: "False"},
		{name: "launcher stopped by the kubelet (liveness probe) fails the VMI", vmi: vmiIn(virtv1.Running),
			obs: Observed{StopMeansFailure: true, Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Shutdown",
				StartedUnixNano: started, ShutdownRequested: true}},
			wantPhase: virtv1.Failed, wantReason: ReasonLivenessProbe, wantReady: "False", wantMsg: "domain stopped: Shutdown"},
		{name: "guest powering off with a liveness probe still succeeds", vmi: vmiIn(virtv1.Running),
			obs:       Observed{StopMeansFailure: true, Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Shutdown", StartedUnixNano: started}},
			wantPhase: virtv1.Succeeded, wantReady: "False"},
		{name: "readiness probe not passing keeps Ready False", vmi: vmiIn(virtv1.Running),
			obs: Observed{Domain: running, NotReady: ReasonReadinessProbe}, wantPhase: virtv1.Running, wantReady: "False"},
		{name: "migrated away, launcher gone: the VMI waits for its target", vmi: vmiIn(virtv1.Running),
			obs:       Observed{LauncherGone: true, Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Migrated", StartedUnixNano: started}},
			wantPhase: virtv1.Running, wantReady: "False"},
		{name: "qemu killed", vmi: vmiIn(virtv1.Running),
			obs:       Observed{Domain: &launcherv1.Domain{State: "Shutoff", Reason: "Crashed", StartedUnixNano: started}},
			wantPhase: virtv1.Failed, wantReason: ReasonDomainCrashed, wantReady: "False", wantMsg: "domain stopped: Crashed"},
		{name: "domain failed to start names the disk", vmi: vmiIn(virtv1.Scheduled),
			obs:       Observed{Domain: &launcherv1.Domain{State: "Shutoff", Failure: `disk "root": no such file`}},
			wantPhase: virtv1.Failed, wantReason: ReasonDomainFailed, wantReady: "False", wantMsg: `disk "root": no such file`},
		{name: "launcher gone while running", vmi: vmiIn(virtv1.Running), obs: Observed{LauncherGone: true},
			wantPhase: virtv1.Failed, wantReason: ReasonLauncherGone, wantReady: "False",
			wantMsg: "virt-launcher exited while the domain was running"},
		{name: "no accelerator", vmi: vmiIn(virtv1.Scheduled),
			obs:       Observed{Failure: "no usable accelerator", FailureReason: ReasonNoAccelerator},
			wantPhase: virtv1.Failed, wantReason: ReasonNoAccelerator, wantReady: "False", wantMsg: "no usable accelerator"},
		{name: "final phases never change", vmi: vmiIn(virtv1.Succeeded), obs: Observed{Domain: running},
			wantPhase: virtv1.Succeeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := metav1.Now()
			st := Compute(tc.vmi, tc.obs, now)
			if st.Phase != tc.wantPhase || st.Reason != tc.wantReason {
				t.Fatalf("phase, reason = %s, %q; want %s, %q", st.Phase, st.Reason, tc.wantPhase, tc.wantReason)
			}
			if tc.wantReady != "" {
				c := cond(st, virtv1.VirtualMachineInstanceReady)
				if c == nil || c.Status != tc.wantReady || c.Message != tc.wantMsg {
					t.Errorf("Ready = %+v, want status %s message %q", c, tc.wantReady, tc.wantMsg)
				}
			}
			if got := cond(st, virtv1.VirtualMachineInstancePaused) != nil; got != tc.wantPaused {
				t.Errorf("Paused condition present = %v, want %v", got, tc.wantPaused)
			}
			if st.Phase != tc.vmi.Status.Phase {
				last := st.PhaseTransitionTimestamps[len(st.PhaseTransitionTimestamps)-1]
				if last.Phase != st.Phase || !last.PhaseTransitionTimestamp.Equal(&now) {
					t.Errorf("no transition timestamp for %s: %+v", st.Phase, st.PhaseTransitionTimestamps)
				}
			}
		})
	}
}

func TestComputeIsStableAndReportsInterfaces(t *testing.T) {
	d := &launcherv1.Domain{State: "Running", StartedUnixNano: 1,
		Interfaces: []*launcherv1.Interface{{Name: "default", Mac: "02:00:00:00:00:01", IpAddresses: []string{"10.1.2.3"}, LinkState: "down"}}}
	vmi := vmiIn(virtv1.Scheduled)
	vmi.Status.Phase = virtv1.Scheduled
	st := Compute(vmi, Observed{Domain: d, NodeName: "n1"}, metav1.Now())
	if len(st.Interfaces) != 1 || st.Interfaces[0].IPAddress != "10.1.2.3" || st.Interfaces[0].InfoSource != "domain" ||
		st.Interfaces[0].LinkState != "down" {
		t.Fatalf("interfaces = %+v", st.Interfaces)
	}
	if st.NodeName != "n1" {
		t.Errorf("nodeName = %q", st.NodeName)
	}
	vmi.Status = st
	again := Compute(vmi, Observed{Domain: d, NodeName: "n1"}, metav1.NewTime(time.Now().Add(time.Hour)))
	if Changed(vmi, again) {
		t.Fatalf("a second computation with the same observation changed the status:\n%+v\n%+v", vmi.Status, again)
	}
}
