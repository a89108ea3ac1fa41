package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func withPhases(vmi *virtv1.VirtualMachineInstance, phases ...any) *virtv1.VirtualMachineInstance {
	out := vmi.DeepCopy()
	out.Status.PhaseTransitionTimestamps = nil
	for i := 0; i < len(phases); i += 2 {
		at := metav1.NewTime(t0.Add(phases[i+1].(time.Duration)))
		out.Status.PhaseTransitionTimestamps = append(out.Status.PhaseTransitionTimestamps,
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: phases[i].(virtv1.VirtualMachineInstancePhase),
				PhaseTransitionTimestamp: &at})
	}
	return out
}

// histogram returns the sample count and sum of a histogram series.
func histogram(t *testing.T, r *Registry, name string, labels map[string]string) (uint64, float64) {
	t.Helper()
	mfs, err := r.Gather().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			if matches(m, labels) {
				return m.Histogram.GetSampleCount(), m.Histogram.GetSampleSum()
			}
		}
	}
	return 0, 0
}

func matches(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.Label {
		if v, ok := labels[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}

func TestObserveTransitionsEveryPhaseOnce(t *testing.T) {
	r := New()
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "v", CreationTimestamp: metav1.NewTime(t0)}}
	pending := withPhases(vmi, virtv1.Pending, time.Second)
	scheduled := withPhases(vmi, virtv1.Pending, time.Second, virtv1.Scheduling, 2*time.Second, virtv1.Scheduled, 5*time.Second)
	// Running is written by virt-handler: it shows up only through the informer.
	running := withPhases(vmi, virtv1.Pending, time.Second, virtv1.Scheduling, 2*time.Second,
		virtv1.Scheduled, 5*time.Second, virtv1.Running, 12*time.Second)
	r.ObserveTransitions(vmi, pending)
	r.ObserveTransitions(pending, scheduled)
	r.ObserveTransitions(scheduled, running)
	r.ObserveTransitions(running, running.DeepCopy()) // a resync observes nothing
	for phase, want := range map[string]float64{"Pending": 1, "Scheduling": 2, "Scheduled": 5, "Running": 12} {
		n, sum := histogram(t, r, "kubevirt_vmi_phase_transition_time_from_creation_seconds", map[string]string{"phase": phase})
		if n != 1 || sum != want {
			t.Errorf("from creation to %s: %d samples, sum %v; want 1, %v", phase, n, sum, want)
		}
	}
	if n, sum := histogram(t, r, "kubevirt_vmi_phase_transition_time_seconds",
		map[string]string{"phase": "Running", "last_phase": "Scheduled"}); n != 1 || sum != 7 {
		t.Errorf("Scheduled -> Running: %d samples, sum %v; want 1, 7", n, sum)
	}

	deleting := running.DeepCopy()
	deleting.DeletionTimestamp = &metav1.Time{Time: t0.Add(20 * time.Second)}
	done := withPhases(deleting, virtv1.Pending, time.Second, virtv1.Scheduling, 2*time.Second,
		virtv1.Scheduled, 5*time.Second, virtv1.Running, 12*time.Second, virtv1.Succeeded, 23*time.Second)
	r.ObserveTransitions(deleting, done)
	if n, sum := histogram(t, r, "kubevirt_vmi_phase_transition_time_from_deletion_seconds",
		map[string]string{"phase": "Succeeded"}); n != 1 || sum != 3 {
		t.Errorf("deletion -> Succeeded: %d samples, sum %v; want 1, 3", n, sum)
	}
	if n, _ := histogram(t, r, "kubevirt_vmi_phase_transition_time_from_deletion_seconds",
		map[string]string{"phase": "Running"}); n != 0 {
		t.Errorf("a phase entered before deletion observed from deletion")
	}
}

func TestRegistryComponentMetrics(t *testing.T) {
	r := New()
	r.SetReady(true)
	r.SetLeading(true)
	want := `
# HELP kubevirt_virt_controller_leading_status 1 while this virt-controller holds the leader lease.
# TYPE kubevirt_virt_controller_leading_status gauge
kubevirt_virt_controller_leading_status 1
# HELP kubevirt_virt_controller_ready_status 1 while this virt-controller is ready to serve.
# TYPE kubevirt_virt_controller_ready_status gauge
kubevirt_virt_controller_ready_status 1
`
	if err := testutil.GatherAndCompare(r.Gather(), strings.NewReader(want),
		"kubevirt_virt_controller_leading_status", "kubevirt_virt_controller_ready_status"); err != nil {
		t.Fatal(err)
	}
}
