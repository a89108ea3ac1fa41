package node

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

var now = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func testNode(beatAgo time.Duration, ready corev1.ConditionStatus, schedulable string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{}, Annotations: map[string]string{}}}
	if beatAgo >= 0 {
		n.Annotations[virtv1.VirtHandlerHeartbeat] = now.Add(-beatAgo).Format(time.RFC3339)
	}
	if schedulable != "" {
		n.Labels[virtv1.NodeSchedulable] = schedulable
	}
	if ready != "" {
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
	}
	return n
}

func testVMI(name, node string, phase virtv1.VirtualMachineInstancePhase) *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: virtv1.VirtualMachineInstanceStatus{NodeName: node, Phase: phase}}
}

func names(vmis []*virtv1.VirtualMachineInstance) []string {
	var out []string
	for _, v := range vmis {
		out = append(out, v.Name)
	}
	return out
}

func TestDecide(t *testing.T) {
	vmis := []*virtv1.VirtualMachineInstance{
		testVMI("running", "n1", virtv1.Running), testVMI("scheduled", "n1", virtv1.Scheduled),
		testVMI("scheduling", "n1", virtv1.Scheduling), testVMI("done", "n1", virtv1.Succeeded),
		testVMI("failed", "n1", virtv1.Failed), testVMI("elsewhere", "n2", virtv1.Running),
	}
	const timeout = 5 * time.Minute
	tests := []struct {
		name          string
		node          *corev1.Node
		unschedulable bool
		fail          []string
		retry         time.Duration
	}{
		{name: "fresh heartbeat: look again when it would go stale",
			node: testNode(time.Minute, corev1.ConditionTrue, "true"), retry: 4 * time.Minute},
		{name: "fresh heartbeat, kubelet down: the handler still answers",
			node: testNode(time.Minute, corev1.ConditionUnknown, "true"), retry: 4 * time.Minute},
		{name: "stale heartbeat, kubelet ready: unschedulable, VMIs kept",
			node: testNode(6*time.Minute, corev1.ConditionTrue, "true"), unschedulable: true},
		{name: "stale and not ready: handed-over VMIs fail",
			node: testNode(6*time.Minute, corev1.ConditionUnknown, "true"), unschedulable: true,
			fail: []string{"running", "scheduled"}},
		{name: "already labelled: no second patch",
			node: testNode(6*time.Minute, corev1.ConditionFalse, "false"), fail: []string{"running", "scheduled"}},
		{name: "no Ready condition counts as not ready",
			node: testNode(timeout, "", "true"), unschedulable: true, fail: []string{"running", "scheduled"}},
		{name: "never ran virt-handler: left alone", node: testNode(-1, corev1.ConditionFalse, "")},
		{name: "node deleted: left to the pod garbage collector"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide("n1", tc.node, vmis, now, timeout)
			if d.Unschedulable != tc.unschedulable || d.RetryAfter != tc.retry {
				t.Errorf("unschedulable=%v retry=%v, want %v %v", d.Unschedulable, d.RetryAfter, tc.unschedulable, tc.retry)
			}
			if got := names(d.Fail); len(got) != len(tc.fail) || (len(got) > 0 && (got[0] != tc.fail[0] || got[1] != tc.fail[1])) {
				t.Errorf("fail = %v, want %v", got, tc.fail)
			}
		})
	}
}

func TestDecideUnparsableHeartbeat(t *testing.T) {
	n := testNode(0, corev1.ConditionFalse, "true")
	n.Annotations[virtv1.VirtHandlerHeartbeat] = "yesterday"
	if d := Decide("n1", n, []*virtv1.VirtualMachineInstance{testVMI("a", "n1", virtv1.Running)}, now, time.Minute); d.Unschedulable || len(d.Fail) > 0 {
		t.Errorf("decision on an unparsable heartbeat: %+v", d)
	}
}

func TestFailPatch(t *testing.T) {
	vmi := testVMI("a", "n1", virtv1.Running)
	vmi.ResourceVersion = "42"
	earlier := metav1.NewTime(now.Add(-time.Hour))
	vmi.Status.PhaseTransitionTimestamps = []virtv1.VirtualMachineInstancePhaseTransitionTimestamp{
		{Phase: virtv1.Running, PhaseTransitionTimestamp: &earlier}}
	raw, err := FailPatch(vmi, metav1.NewTime(now))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct{ ResourceVersion string }
		Status   virtv1.VirtualMachineInstanceStatus
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	s := got.Status
	if got.Metadata.ResourceVersion != "42" || s.Phase != virtv1.Failed || s.Reason != virtv1.NodeUnresponsiveReason ||
		len(s.PhaseTransitionTimestamps) != 2 || s.PhaseTransitionTimestamps[1].Phase != virtv1.Failed {
		t.Errorf("patch = %s", raw)
	}
	if len(vmi.Status.PhaseTransitionTimestamps) != 1 {
		t.Errorf("FailPatch changed its input")
	}
}
