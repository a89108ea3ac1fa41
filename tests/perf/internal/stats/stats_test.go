package stats

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestPercentile(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1)
	}
	for _, tc := range []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"one value", []float64{7}, 99, 7},
		{"p50 of 1..100", hundred, 50, 50},
		{"p95 of 1..100", hundred, 95, 95},
		{"p99 of 1..100", hundred, 99, 99},
		{"p100 is the max", hundred, 100, 100},
		{"tiny p is the min", hundred, 0.001, 1},
		{"p50 of four rounds up the rank", []float64{1, 2, 3, 4}, 50, 2},
		{"p99 of four is the max", []float64{1, 2, 3, 4}, 99, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tc.sorted, tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	got := Summarize([]float64{4, 1, 3, 2})
	want := Summary{Count: 4, Min: 1, P50: 2, P95: 4, P99: 4, Max: 4, Mean: 2.5}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v, want zero", got)
	}
}

func TestSinceCreation(t *testing.T) {
	created := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { ts := metav1.NewTime(created.Add(d)); return &ts }
	vmi := func(ts ...virtv1.VirtualMachineInstancePhaseTransitionTimestamp) *virtv1.VirtualMachineInstance {
		v := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)}}
		v.Status.PhaseTransitionTimestamps = ts
		return v
	}
	for _, tc := range []struct {
		name   string
		vmi    *virtv1.VirtualMachineInstance
		want   float64
		wantOK bool
	}{
		{"no timestamps", vmi(), 0, false},
		{"only scheduled", vmi(virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Scheduled, PhaseTransitionTimestamp: at(time.Second)}), 0, false},
		{"running after 12 s", vmi(
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Scheduled, PhaseTransitionTimestamp: at(3 * time.Second)},
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Running, PhaseTransitionTimestamp: at(12 * time.Second)},
		), 12, true},
		{"the last running entry wins", vmi(
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Running, PhaseTransitionTimestamp: at(5 * time.Second)},
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Running, PhaseTransitionTimestamp: at(9 * time.Second)},
		), 9, true},
		{"skew clamps to zero", vmi(virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Running, PhaseTransitionTimestamp: at(-time.Second)}), 0, true},
		{"nil timestamp is ignored", vmi(virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Running}), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := SinceCreation(tc.vmi, virtv1.Running)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("SinceCreation = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
