package migration

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestTarget(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	published := func(s *virtv1.VirtualMachineInstanceMigrationState) {
		s.TargetNodeAddress, s.TargetDirectMigrationNodePorts = "10.244.1.1", map[string]int32{"8443": 0}
	}
	ready := TargetObserved{LauncherUp: true, PreparedFor: "m1", Address: "10.244.1.1", Port: 8443}
	for _, tc := range []struct {
		name    string
		st      *virtv1.VirtualMachineInstanceMigrationState
		obs     TargetObserved
		want    TargetAction
		address string
		check   func(t *testing.T, st *virtv1.VirtualMachineInstanceMigrationState)
	}{
		{name: "launcher not up", st: state(nil), obs: TargetObserved{}, want: TargetWait},
		{name: "launcher up: prepare", st: state(nil), obs: TargetObserved{LauncherUp: true}, want: TargetPrepare},
		{name: "prepared for an earlier migration: prepare again", st: state(nil),
			obs: TargetObserved{LauncherUp: true, PreparedFor: "m0"}, want: TargetPrepare},
		{name: "abort asked before prepare: nothing", st: state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.AbortRequested = true }),
			obs: TargetObserved{LauncherUp: true}, want: TargetWait},
		{name: "prepared: publish address and port", st: state(nil), obs: ready, want: TargetReport, address: "10.244.1.1",
			check: func(t *testing.T, st *virtv1.VirtualMachineInstanceMigrationState) {
				if st.TargetDirectMigrationNodePorts["8443"] != 0 || len(st.TargetDirectMigrationNodePorts) != 1 {
					t.Errorf("ports = %v", st.TargetDirectMigrationNodePorts)
				}
			}},
		{name: "published: wait for the domain", st: state(published), obs: ready, want: TargetWait, address: "10.244.1.1"},
		{name: "domain arrived: detected", st: state(published),
			obs:  TargetObserved{LauncherUp: true, PreparedFor: "m1", Address: "10.244.1.1", Port: 8443, DomainRunning: true},
			want: TargetReport, address: "10.244.1.1",
			check: func(t *testing.T, st *virtv1.VirtualMachineInstanceMigrationState) {
				if !st.TargetNodeDomainDetected || !st.TargetNodeDomainReadyTimestamp.Equal(&now) {
					t.Errorf("detected %v at %v", st.TargetNodeDomainDetected, st.TargetNodeDomainReadyTimestamp)
				}
			}},
		{name: "source completed, domain here: take over",
			st: state(func(s *virtv1.VirtualMachineInstanceMigrationState) {
				published(s)
				s.Completed = true
			}),
			obs:  TargetObserved{LauncherUp: true, PreparedFor: "m1", Address: "10.244.1.1", Port: 8443, DomainRunning: true},
			want: TargetTakeOver, address: "10.244.1.1"},
		{name: "source completed, domain not seen here: wait",
			st: state(func(s *virtv1.VirtualMachineInstanceMigrationState) {
				published(s)
				s.Completed = true
			}),
			obs: ready, want: TargetWait, address: "10.244.1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vmi := vmiWith("a", tc.st)
			before := tc.st.DeepCopy()
			step := Target(vmi, tc.obs, now)
			if step.Action != tc.want {
				t.Fatalf("action = %v, want %v", step.Action, tc.want)
			}
			if step.State.TargetNodeAddress != tc.address {
				t.Errorf("address = %q, want %q", step.State.TargetNodeAddress, tc.address)
			}
			if tc.check != nil {
				tc.check(t, step.State)
			}
			if vmi.Status.MigrationState.TargetNodeAddress != before.TargetNodeAddress {
				t.Error("the input state was modified")
			}
		})
	}
}
