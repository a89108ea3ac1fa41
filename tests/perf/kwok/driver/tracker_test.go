package driver

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
)

func vmiIn(name string, phase virtv1.VirtualMachineInstancePhase) *virtv1.VirtualMachineInstance {
	v := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.Now()}}
	v.Status.Phase = phase
	return v
}

func TestTrackerCounts(t *testing.T) {
	tr := newTracker(kubefake.NewClientset(), kvirtfake.NewSimpleClientset(), "ns")
	tr.observe(vmiIn("a", ""), false)
	tr.observe(vmiIn("b", virtv1.Scheduled), false)
	tr.observe(vmiIn("c", virtv1.Running), false)
	tr.observe(vmiIn("c", virtv1.Running), false) // an update that keeps it Running
	tr.observe(vmiIn("d", virtv1.Running), false)
	tr.observe(cache.DeletedFinalStateUnknown{Key: "ns/d", Obj: vmiIn("d", virtv1.Running)}, false)
	running, vmis, pods := tr.counts()
	if running != 1 || vmis != 3 || pods != 0 {
		t.Errorf("counts = %d running, %d vmis, %d pods; want 1, 3, 0", running, vmis, pods)
	}
	phases, stuck := tr.stuck(1)
	if !maps.Equal(phases, map[string]int{"Pending": 1, "Scheduled": 1, "Running": 1}) || !slices.Equal(stuck, []string{"a"}) {
		t.Errorf("stuck = %v %v", phases, stuck)
	}
	if got := len(tr.observedLatencies()); got != 2 {
		t.Errorf("observed %d Running VMIs, want 2 (c once, d before its deletion)", got)
	}
	ok, _ := tr.waitFor(context.Background(), time.Now().Add(time.Minute), func(running, _, _ int) bool { return running == 1 })
	if !ok {
		t.Error("waitFor a condition that holds returned false")
	}
	ok, _ = tr.waitFor(context.Background(), time.Now(), func(running, _, _ int) bool { return running == 5 })
	if ok {
		t.Error("waitFor past its deadline returned true")
	}
}
