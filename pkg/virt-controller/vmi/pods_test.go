package vmi

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

func ownedPod(name, node string, age time.Duration, migration string, phase corev1.PodPhase) *corev1.Pod {
	yes := true
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name),
		CreationTimestamp: metav1.NewTime(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).Add(-age)),
		Labels:            map[string]string{},
		OwnerReferences: []metav1.OwnerReference{{Kind: "VirtualMachineInstance", Name: "vm", UID: "vmi-uid",
			Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: phase}}
	if migration != "" {
		p.Labels[virtv1.MigrationJobLabel] = migration
	}
	return p
}

func migratingVMI(node string, st *virtv1.VirtualMachineInstanceMigrationState) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", UID: "vmi-uid"}}
	vmi.Status.Phase, vmi.Status.NodeName, vmi.Status.MigrationState = virtv1.Running, node, st
	return vmi
}

func TestCurrentPod(t *testing.T) {
	source := ownedPod("src", "a", time.Hour, "", corev1.PodRunning)
	target := ownedPod("dst", "b", time.Minute, "m1", corev1.PodRunning)
	unscheduled := ownedPod("dst2", "", time.Second, "m2", corev1.PodPending)
	back := ownedPod("back", "a", 0, "m3", corev1.PodRunning)
	srcEnded := ownedPod("src", "a", time.Hour, "", corev1.PodSucceeded)
	foreign := ownedPod("other", "a", 0, "", corev1.PodRunning)
	foreign.OwnerReferences[0].UID = "another-vmi"
	for _, tc := range []struct {
		name string
		node string
		pods []*corev1.Pod
		want *corev1.Pod
	}{
		{"before scheduling: the only pod", "", []*corev1.Pod{source}, source},
		{"before scheduling, a target is not the VMI's pod", "", []*corev1.Pod{unscheduled}, nil},
		{"migration running: the source", "a", []*corev1.Pod{target, source}, source},
		{"target not scheduled yet: the source", "a", []*corev1.Pod{unscheduled, source}, source},
		{"after hand-over: the target", "b", []*corev1.Pod{source, target}, target},
		{"migrated back: the newest on the node", "a", []*corev1.Pod{srcEnded, target, back}, back},
		{"another VMI's pod is never chosen", "a", []*corev1.Pod{foreign}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CurrentPod(migratingVMI(tc.node, nil), tc.pods); got != tc.want {
				t.Errorf("CurrentPod = %v, want %v", name(got), name(tc.want))
			}
		})
	}
}

func name(p *corev1.Pod) string {
	if p == nil {
		return "<nil>"
	}
	return p.Name
}

func TestReplaced(t *testing.T) {
	srcEnded := ownedPod("src", "a", time.Hour, "", corev1.PodSucceeded)
	target := ownedPod("dst", "b", time.Minute, "m1", corev1.PodRunning)
	failedTarget := ownedPod("dst2", "a", time.Second, "m2", corev1.PodFailed)
	done := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m1", Completed: true, TargetNode: "b", TargetPod: "dst"}
	vmi := migratingVMI("b", done)
	got := Replaced(vmi, []*corev1.Pod{srcEnded, target}, target)
	if len(got) != 1 || got[0] != srcEnded {
		t.Errorf("after hand-over: %v", got)
	}
	active := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m2", TargetNode: "a"}
	if got := Replaced(migratingVMI("b", active), []*corev1.Pod{target, failedTarget}, target); len(got) != 0 {
		t.Errorf("the active migration's target was taken: %v", got)
	}
	running := ownedPod("src", "a", time.Hour, "", corev1.PodRunning)
	if got := Replaced(vmi, []*corev1.Pod{running, target}, target); len(got) != 0 {
		t.Errorf("a pod still running was taken: %v", got)
	}
	exited := running.DeepCopy()
	exited.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "compute",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}}}
	if got := Replaced(vmi, []*corev1.Pod{exited, target}, target); len(got) != 1 || got[0] != exited {
		t.Errorf("a pod whose launcher exited, its sidecar running, was kept: %v", got)
	}
}

func TestEndedSourcePodWaitsForHandOver(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	end := metav1.NewTime(now.Add(-time.Minute))
	st := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m1", Completed: true, SourceNode: "a",
		TargetNode: "b", TargetPod: "dst", EndTimestamp: &end}
	srcEnded := ownedPod("src", "a", time.Hour, "", corev1.PodSucceeded)
	vmi := migratingVMI("a", st)
	if retry := followHandledPod(vmi, srcEnded, now); vmi.Status.Phase != virtv1.Running || retry != 4*time.Minute {
		t.Errorf("awaiting hand-over: phase %s, retry %s", vmi.Status.Phase, retry)
	}
	late := metav1.NewTime(now.Add(HandOverTimeout))
	if followHandledPod(vmi, srcEnded, late); vmi.Status.Phase != virtv1.Failed {
		t.Errorf("hand-over never came: phase %s", vmi.Status.Phase)
	}
	failed := migratingVMI("a", &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m1", Failed: true, TargetNode: "b"})
	if followHandledPod(failed, srcEnded, now); failed.Status.Phase != virtv1.Failed {
		t.Errorf("a failed migration kept an ended pod's VMI: phase %s", failed.Status.Phase)
	}
}
