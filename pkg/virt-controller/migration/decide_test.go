package migration

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

var (
	now    = metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	limits = Limits{PerCluster: 5, OutboundPerNode: 2}
)

func migIn(phase virtv1.VirtualMachineInstanceMigrationPhase) *virtv1.VirtualMachineInstanceMigration {
	m := &virtv1.VirtualMachineInstanceMigration{ObjectMeta: metav1.ObjectMeta{Name: "m", UID: "mig"}}
	m.Spec.VMIName = "v"
	m.Status.Phase = phase
	return m
}

func runningVMI(state *virtv1.VirtualMachineInstanceMigrationState) *virtv1.VirtualMachineInstance {
	v := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "v"}}
	v.Status.Phase, v.Status.NodeName = virtv1.Running, "node01"
	v.Status.MigrationState = state
	return v
}

func ours(mut func(*virtv1.VirtualMachineInstanceMigrationState)) *virtv1.VirtualMachineInstanceMigrationState {
	s := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "mig", SourceNode: "node01"}
	if mut != nil {
		mut(s)
	}
	return s
}

func targetPod(phase corev1.PodPhase, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "t", UID: "tp"}}
	p.Spec.NodeName = "node02"
	p.Status.Phase = phase
	s := corev1.ConditionFalse
	if ready {
		s = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: s}}
	return p
}

func TestDecide(t *testing.T) {
	started := now
	tests := []struct {
		name      string
		m         *virtv1.VirtualMachineInstanceMigration
		vmi       *virtv1.VirtualMachineInstance
		pod       *corev1.Pod
		load      Load
		wantPhase virtv1.VirtualMachineInstanceMigrationPhase
		wantPod   PodAction
		waiting   bool
	}{
		{"new: target pod, Scheduling", migIn(""), runningVMI(nil), nil, Load{}, virtv1.MigrationScheduling, PodCreate, false},
		{"cluster limit holds it Pending", migIn(""), runningVMI(nil), nil, Load{Cluster: 5}, virtv1.MigrationPending, PodNone, true},
		{"node limit holds it Pending", migIn(virtv1.MigrationPending), runningVMI(nil), nil, Load{Cluster: 2, OutboundFromSource: 2}, virtv1.MigrationPending, PodNone, true},
		{"vmi gone fails", migIn(virtv1.MigrationPending), nil, nil, Load{}, virtv1.MigrationFailed, PodNone, false},
		{"pod pending: Scheduling", migIn(virtv1.MigrationScheduling), runningVMI(ours(nil)), targetPod(corev1.PodPending, false), Load{}, virtv1.MigrationScheduling, PodNone, false},
		{"pod ready: Scheduled", migIn(virtv1.MigrationScheduling), runningVMI(ours(nil)), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationScheduled, PodNone, false},
		{"handed off: PreparingTarget", migIn(virtv1.MigrationScheduled), runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.TargetNode = "node02" })), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationPreparingTarget, PodNone, false},
		{"target address: TargetReady", migIn(virtv1.MigrationPreparingTarget), runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.TargetNodeAddress = "10.0.0.2" })), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationTargetReady, PodNone, false},
		{"started: Running", migIn(virtv1.MigrationTargetReady), runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.StartTimestamp = &started })), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationRunning, PodNone, false},
		{"completed: Succeeded", migIn(virtv1.MigrationRunning), runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Completed = true })), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationSucceeded, PodNone, false},
		{"handler failed it", migIn(virtv1.MigrationRunning), runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Failed = true })), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationFailed, PodNone, false},
		{"target pod vanished", migIn(virtv1.MigrationScheduled), runningVMI(ours(nil)), nil, Load{}, virtv1.MigrationFailed, PodNone, false},
		{"failed cleans the target pod", migIn(virtv1.MigrationFailed), runningVMI(ours(nil)), targetPod(corev1.PodRunning, true), Load{}, virtv1.MigrationFailed, PodDelete, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.m, tt.vmi, tt.pod, tt.load, limits, now)
			if d.Migration.Status.Phase != tt.wantPhase || d.Pod != tt.wantPod || d.Waiting != tt.waiting {
				t.Errorf("phase %s pod %v waiting %v, want %s %v %v", d.Migration.Status.Phase, d.Pod, d.Waiting, tt.wantPhase, tt.wantPod, tt.waiting)
			}
		})
	}
}

func TestDecideHandOffAndState(t *testing.T) {
	d := Decide(migIn(""), runningVMI(nil), nil, Load{}, limits, now)
	st := d.VMI.Status.MigrationState
	if st == nil || st.MigrationUID != "mig" || st.SourceNode != "node01" {
		t.Fatalf("migrationState = %+v", st)
	}
	if d.Migration.Labels[virtv1.MigrationSelectorLabel] != "v" || len(d.Migration.Finalizers) != 1 {
		t.Errorf("migration metadata = %+v", d.Migration.ObjectMeta)
	}
	d = Decide(d.Migration, d.VMI, targetPod(corev1.PodRunning, true), Load{}, limits, now)
	if d.VMI.Status.MigrationState.TargetNode != "node02" || d.VMI.Labels[virtv1.MigrationTargetNodeNameLabel] != "node02" {
		t.Errorf("hand-off = %+v labels %v", d.VMI.Status.MigrationState, d.VMI.Labels)
	}
	if d.Migration.Status.MigrationState == nil || d.Migration.Status.MigrationState.TargetNode != "node02" {
		t.Errorf("migration status does not mirror the VMI's state")
	}
}

func TestDeletedMigrationAborts(t *testing.T) {
	deleted := func(phase virtv1.VirtualMachineInstanceMigrationPhase) *virtv1.VirtualMachineInstanceMigration {
		m := migIn(phase)
		m.DeletionTimestamp = &now
		m.Finalizers = []string{virtv1.VirtualMachineInstanceMigrationFinalizer}
		return m
	}
	handedOff := func(mut func(*virtv1.VirtualMachineInstanceMigrationState)) *virtv1.VirtualMachineInstance {
		v := runningVMI(ours(func(s *virtv1.VirtualMachineInstanceMigrationState) {
			s.TargetNode, s.TargetPod = "node02", "t"
			if mut != nil {
				mut(s)
			}
		}))
		v.Labels = map[string]string{virtv1.MigrationTargetNodeNameLabel: "node02"}
		v.Status.ActivePods = map[string]string{"src": "node01", "tp": "node02"}
		return v
	}

	// Not started: the controller ends it, the VMI stays where it is.
	d := Decide(deleted(virtv1.MigrationTargetReady), handedOff(nil), targetPod(corev1.PodRunning, true), Load{}, limits, now)
	st := d.VMI.Status.MigrationState
	if !st.AbortRequested || st.AbortStatus != AbortSucceeded || !st.Failed || st.FailureReason != ReasonDeletedBeforeStart || st.EndTimestamp == nil {
		t.Errorf("state after deleting an unstarted migration = %+v", st)
	}
	if _, ok := d.VMI.Labels[virtv1.MigrationTargetNodeNameLabel]; ok {
		t.Errorf("target node label kept: %v", d.VMI.Labels)
	}
	if len(d.VMI.Status.ActivePods) != 1 || d.VMI.Status.ActivePods["src"] != "node01" {
		t.Errorf("activePods = %v, want only the source pod", d.VMI.Status.ActivePods)
	}
	if d.Pod != PodDelete {
		t.Errorf("target pod action %v, want delete", d.Pod)
	}

	// Started: the handlers are asked to abort and report the outcome.
	started := now
	d = Decide(deleted(virtv1.MigrationRunning), handedOff(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.StartTimestamp = &started }),
		targetPod(corev1.PodRunning, true), Load{}, limits, now)
	st = d.VMI.Status.MigrationState
	if !st.AbortRequested || st.AbortStatus != AbortAborting || st.Failed {
		t.Errorf("state after deleting a running migration = %+v", st)
	}
}

func TestMapPatch(t *testing.T) {
	got := mapPatch(map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "x", "d": "4"})
	want := map[string]interface{}{"b": "x", "c": nil, "d": "4"}
	if len(got) != len(want) {
		t.Fatalf("mapPatch = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("mapPatch[%s] = %v, want %v", k, got[k], v)
		}
	}
}
