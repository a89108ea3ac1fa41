package vmi

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

var now = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))

func vmiIn(phase virtv1.VirtualMachineInstancePhase, finalizer bool) *virtv1.VirtualMachineInstance {
	v := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "v", Namespace: "ns", UID: "u1", ResourceVersion: "7"}}
	v.Status.Phase = phase
	if finalizer {
		v.Finalizers = []string{virtv1.VirtualMachineInstanceFinalizer}
	}
	return v
}

func podWith(phase corev1.PodPhase, node string, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "pod-uid"}}
	p.Spec.NodeName = node
	p.Status.Phase = phase
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
	return p
}

func unresponsive(v *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	v.Status.Reason = virtv1.NodeUnresponsiveReason
	return v
}

func deleting[T metav1.Object](o T) T {
	o.SetDeletionTimestamp(&now)
	return o
}

func TestDecide(t *testing.T) {
	unschedulable := podWith(corev1.PodPending, "", false)
	unschedulable.Status.Conditions = append(unschedulable.Status.Conditions, corev1.PodCondition{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/3 nodes"})
	tests := []struct {
		name          string
		vmi           *virtv1.VirtualMachineInstance
		pod           *corev1.Pod
		wantPod       PodAction
		wantPhase     virtv1.VirtualMachineInstancePhase
		wantFinalizer bool
		wantReason    string
		wantNode      string
	}{
		{"new VMI: create pod, finalizer, Scheduling", vmiIn("", false), nil, PodCreate, virtv1.Scheduling, true, "", ""},
		{"Pending from webhook: create pod", vmiIn(virtv1.Pending, true), nil, PodCreate, virtv1.Scheduling, true, "", ""},
		{"Pending with pod already there: Scheduling", vmiIn(virtv1.Pending, true), podWith(corev1.PodPending, "", false), PodNone, virtv1.Scheduling, true, "", ""},
		{"Scheduling, pod pending: wait", vmiIn(virtv1.Scheduling, true), podWith(corev1.PodPending, "", false), PodNone, virtv1.Scheduling, true, "", ""},
		{"Scheduling, pod running not ready: wait", vmiIn(virtv1.Scheduling, true), podWith(corev1.PodRunning, "n1", false), PodNone, virtv1.Scheduling, true, "", ""},
		{"Scheduling, pod running and ready: Scheduled", vmiIn(virtv1.Scheduling, true), podWith(corev1.PodRunning, "n1", true), PodNone, virtv1.Scheduled, true, "", "n1"},
		{"Scheduling, pod gone: Failed", vmiIn(virtv1.Scheduling, true), nil, PodNone, virtv1.Failed, true, ReasonPodDeleted, ""},
		{"Scheduling, pod failed: Failed", vmiIn(virtv1.Scheduling, true), podWith(corev1.PodFailed, "n1", false), PodNone, virtv1.Failed, true, ReasonPodFailed, ""},
		{"Scheduled, pod deleting: Failed", vmiIn(virtv1.Scheduled, true), deleting(podWith(corev1.PodRunning, "n1", true)), PodNone, virtv1.Failed, true, ReasonPodDeleted, ""},
		{"Scheduled, pod gone: Failed", vmiIn(virtv1.Scheduled, true), nil, PodNone, virtv1.Failed, true, ReasonPodDeleted, ""},
		{"Running, pod gone: Failed", vmiIn(virtv1.Running, true), nil, PodNone, virtv1.Failed, true, ReasonPodDeleted, ""},
		{"Running, pod deleting: left to the launcher's graceful shutdown", vmiIn(virtv1.Running, true), deleting(podWith(corev1.PodRunning, "n1", true)), PodNone, virtv1.Running, true, "", ""},
		{"Running, pod running: nothing", vmiIn(virtv1.Running, true), podWith(corev1.PodRunning, "n1", true), PodNone, virtv1.Running, true, "", ""},
		{"Failed with pod: delete pod", vmiIn(virtv1.Failed, true), podWith(corev1.PodFailed, "n1", false), PodDelete, virtv1.Failed, true, "", ""},
		{"Failed without pod: drop finalizer", vmiIn(virtv1.Failed, true), nil, PodNone, virtv1.Failed, false, "", ""},
		{"deleted with pod: delete pod, keep finalizer", deleting(vmiIn(virtv1.Scheduled, true)), podWith(corev1.PodRunning, "n1", true), PodDelete, virtv1.Scheduled, true, "", ""},
		{"deleted, pod terminating: wait", deleting(vmiIn(virtv1.Running, true)), deleting(podWith(corev1.PodRunning, "n1", true)), PodNone, virtv1.Running, true, "", ""},
		{"deleted, pod gone: drop finalizer", deleting(vmiIn(virtv1.Running, true)), nil, PodNone, virtv1.Running, false, "", ""},
		{"NodeUnresponsive with pod: delete pod", unresponsive(vmiIn(virtv1.Failed, true)), podWith(corev1.PodRunning, "n1", true), PodDelete, virtv1.Failed, true, virtv1.NodeUnresponsiveReason, ""},
		{"NodeUnresponsive, pod terminating on the dead node: drop finalizer", unresponsive(vmiIn(virtv1.Failed, true)), deleting(podWith(corev1.PodRunning, "n1", true)), PodNone, virtv1.Failed, false, virtv1.NodeUnresponsiveReason, ""},
		{"Failed otherwise, pod terminating: wait", vmiIn(virtv1.Failed, true), deleting(podWith(corev1.PodRunning, "n1", true)), PodNone, virtv1.Failed, true, "", ""},
		{"unschedulable pod: stays Scheduling", vmiIn(virtv1.Scheduling, true), unschedulable, PodNone, virtv1.Scheduling, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(tt.vmi)
			d := Decide(tt.vmi, tt.pod, now)
			if after, _ := json.Marshal(tt.vmi); string(after) != string(before) {
				t.Fatal("Decide modified its input")
			}
			if d.Pod != tt.wantPod {
				t.Errorf("pod action = %v, want %v", d.Pod, tt.wantPod)
			}
			if d.VMI.Status.Phase != tt.wantPhase {
				t.Errorf("phase = %q, want %q", d.VMI.Status.Phase, tt.wantPhase)
			}
			if has := len(d.VMI.Finalizers) == 1; has != tt.wantFinalizer {
				t.Errorf("finalizers = %v, want finalizer %v", d.VMI.Finalizers, tt.wantFinalizer)
			}
			if d.VMI.Status.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", d.VMI.Status.Reason, tt.wantReason)
			}
			if d.VMI.Status.NodeName != tt.wantNode || d.VMI.Labels[virtv1.NodeNameLabel] != tt.wantNode {
				t.Errorf("nodeName = %q label %q, want %q", d.VMI.Status.NodeName, d.VMI.Labels[virtv1.NodeNameLabel], tt.wantNode)
			}
		})
	}
}

func TestDecideTimestampsAndConditions(t *testing.T) {
	d := Decide(vmiIn("", false), nil, now)
	var phases []virtv1.VirtualMachineInstancePhase
	for _, ts := range d.VMI.Status.PhaseTransitionTimestamps {
		phases = append(phases, ts.Phase)
		if !ts.PhaseTransitionTimestamp.Equal(&now) {
			t.Errorf("timestamp of %s = %v", ts.Phase, ts.PhaseTransitionTimestamp)
		}
	}
	if len(phases) != 2 || phases[0] != virtv1.Pending || phases[1] != virtv1.Scheduling {
		t.Fatalf("transitions = %v, want [Pending Scheduling]", phases)
	}

	pod := podWith(corev1.PodPending, "", false)
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"})
	d = Decide(vmiIn(virtv1.Scheduling, true), pod, now)
	if len(d.VMI.Status.Conditions) != 1 || d.VMI.Status.Conditions[0].Reason != "Unschedulable" {
		t.Fatalf("conditions = %+v, want PodScheduled=False Unschedulable", d.VMI.Status.Conditions)
	}
	d = Decide(d.VMI, podWith(corev1.PodRunning, "n1", true), now)
	if len(d.VMI.Status.Conditions) != 0 || d.VMI.Status.ActivePods["pod-uid"] != "n1" {
		t.Fatalf("after scheduling: conditions %+v activePods %v", d.VMI.Status.Conditions, d.VMI.Status.ActivePods)
	}
}

func TestCreateFailedCondition(t *testing.T) {
	vmi := CreateFailed(vmiIn(virtv1.Pending, true), "serviceaccount missing", now)
	if len(vmi.Status.Conditions) != 1 || vmi.Status.Conditions[0].Reason != ReasonFailedCreate {
		t.Fatalf("conditions = %+v", vmi.Status.Conditions)
	}
	if again := CreateFailed(vmi, "serviceaccount missing", now); len(again.Status.Conditions) != 1 {
		t.Fatalf("the same failure twice: %+v", again.Status.Conditions)
	}
	d := Decide(vmi, nil, now)
	if len(d.VMI.Status.Conditions) != 0 {
		t.Errorf("the condition must go with the create that now succeeds: %+v", d.VMI.Status.Conditions)
	}
}

func TestClaimWaitCondition(t *testing.T) {
	for _, reason := range []string{launcherpod.ReasonPVCNotFound, launcherpod.ReasonPVCNotBound} {
		vmi := CreateFailedFor(vmiIn(virtv1.Pending, true), reason, "claim data", now)
		if c := vmi.Status.Conditions; len(c) != 1 || c[0].Reason != reason || c[0].Status != string(corev1.ConditionFalse) {
			t.Fatalf("%s: conditions = %+v", reason, c)
		}
		if d := Decide(vmi, nil, now); len(d.VMI.Status.Conditions) != 0 {
			t.Errorf("%s: the condition must go with the create that now succeeds: %+v", reason, d.VMI.Status.Conditions)
		}
	}
}

func TestMergePatch(t *testing.T) {
	old := vmiIn(virtv1.Scheduling, true)
	old.Status.Interfaces = []virtv1.VirtualMachineInstanceNetworkInterface{{Name: "default"}}
	d := Decide(old, podWith(corev1.PodRunning, "n1", true), now)
	raw, err := mergePatch(old, d.VMI)
	if err != nil {
		t.Fatal(err)
	}
	var patch map[string]map[string]interface{}
	if err := json.Unmarshal(raw, &patch); err != nil {
		t.Fatal(err)
	}
	if patch["metadata"]["resourceVersion"] != "7" {
		t.Errorf("patch lacks the resourceVersion precondition: %s", raw)
	}
	if _, ok := patch["status"]["interfaces"]; ok {
		t.Errorf("patch writes a field virt-handler owns: %s", raw)
	}
	if patch["status"]["phase"] != "Scheduled" || patch["status"]["nodeName"] != "n1" {
		t.Errorf("patch = %s", raw)
	}
	if raw, _ := mergePatch(old, old.DeepCopy()); raw != nil {
		t.Errorf("no change must give no patch, got %s", raw)
	}
}
