package migration

import (
	"strings"
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
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "t", UID: "tp", CreationTimestamp: now}}
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

func TestTargetPodPendingTimeouts(t *testing.T) {
	pending := func(created time.Duration, unschedulableFor time.Duration) *corev1.Pod {
		p := targetPod(corev1.PodPending, false)
		p.CreationTimestamp = metav1.NewTime(now.Add(-created))
		if unschedulableFor > 0 {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled,
				Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/1 nodes are available",
				LastTransitionTime: metav1.NewTime(now.Add(-unschedulableFor))})
		}
		return p
	}
	annotated := func(key, value string) *virtv1.VirtualMachineInstanceMigration {
		m := migIn(virtv1.MigrationScheduling)
		m.Annotations = map[string]string{key: value}
		return m
	}
	cases := []struct {
		name    string
		m       *virtv1.VirtualMachineInstanceMigration
		pod     *corev1.Pod
		failed  bool
		recheck time.Duration
		reason  string
	}{
		{"just created", migIn(virtv1.MigrationScheduling), pending(time.Minute, 0), false, 14 * time.Minute, ""},
		{"unschedulable a while", migIn(virtv1.MigrationScheduling), pending(3*time.Minute, 2*time.Minute), false, 3 * time.Minute, ""},
		{"unschedulable 5 min", migIn(virtv1.MigrationScheduling), pending(6*time.Minute, 5*time.Minute), true, 0, "unschedulable for 5m0s: 0/1 nodes"},
		{"pending 15 min", migIn(virtv1.MigrationScheduling), pending(15*time.Minute, 0), true, 0, "Pending for 15m0s"},
		{"annotation shortens it", annotated(UnschedulablePodTimeoutAnnotation, "10"), pending(11*time.Second, 10*time.Second), true, 0, "unschedulable for 10s"},
		{"a bad annotation keeps the default", annotated(PendingPodTimeoutAnnotation, "soon"), pending(time.Minute, 0), false, 14 * time.Minute, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vmi := runningVMI(ours(nil))
			d := Decide(tc.m, vmi, tc.pod, Load{}, limits, now)
			failed := d.Migration.Status.Phase == virtv1.MigrationFailed
			if failed != tc.failed || d.RetryAfter != tc.recheck {
				t.Fatalf("failed %v retry %s, want %v %s", failed, d.RetryAfter, tc.failed, tc.recheck)
			}
			if tc.failed && !strings.Contains(d.VMI.Status.MigrationState.FailureReason, tc.reason) {
				t.Errorf("failure reason %q, want it to contain %q", d.VMI.Status.MigrationState.FailureReason, tc.reason)
			}
		})
	}
	// a running target pod has no Pending timeout
	d := Decide(migIn(virtv1.MigrationScheduled), runningVMI(ours(nil)), targetPod(corev1.PodRunning, true), Load{}, limits, now)
	if d.RetryAfter != 0 || d.Migration.Status.Phase == virtv1.MigrationFailed {
		t.Errorf("running target pod: retry %s phase %s", d.RetryAfter, d.Migration.Status.Phase)
	}
}

func TestStatePatchClearsWhatTheNewStateLacks(t *testing.T) {
	old := ours(func(s *virtv1.VirtualMachineInstanceMigrationState) {
		s.Failed, s.FailureReason, s.AbortStatus, s.TargetPod, s.EndTimestamp = true, "deleted", AbortSucceeded, "t", &now
	})
	fresh := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "mig2", SourceNode: "node01"}
	p, err := statePatch(old, fresh)
	if err != nil {
		t.Fatal(err)
	}
	got := p.(map[string]interface{})
	for _, k := range []string{"failed", "failureReason", "abortStatus", "targetPod", "endTimestamp"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s: %v (present %v), want null", k, v, ok)
		}
	}
	if got["migrationUid"] != "mig2" || got["sourceNode"] != "node01" {
		t.Errorf("new fields: %v", got)
	}
	if p, _ := statePatch(old, nil); p != nil {
		t.Errorf("a removed state patches to %v, want null", p)
	}
}

func TestWithPolicyOnlyWhenTheTargetPodIsCreated(t *testing.T) {
	cfg := &virtv1.VMIMConfigurationOptions{ProgressTimeout: 60}
	m := &virtv1.VirtualMachineInstanceMigration{ObjectMeta: metav1.ObjectMeta{UID: "mig"}}
	vmi := &virtv1.VirtualMachineInstance{Status: virtv1.VirtualMachineInstanceStatus{
		MigrationState: &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "mig"}}}
	d := WithPolicy(Decision{Migration: m.DeepCopy(), VMI: vmi.DeepCopy(), Pod: PodCreate}, "fast", cfg)
	if st := d.VMI.Status.MigrationState; st.MigrationPolicyName != "fast" || st.MigrationConfiguration.ProgressTimeout != 60 {
		t.Errorf("VMI state %+v", st)
	}
	if st := d.Migration.Status.MigrationState; st == nil || st.MigrationPolicyName != "fast" {
		t.Errorf("migration's mirror %+v", st)
	}
	d = WithPolicy(Decision{Migration: m.DeepCopy(), VMI: vmi.DeepCopy()}, "fast", cfg)
	if d.VMI.Status.MigrationState.MigrationPolicyName != "" {
		t.Errorf("a decision creating no pod took the policy")
	}
}
