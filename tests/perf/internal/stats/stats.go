package stats

import (
	"math"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Summary describes a set of durations, in seconds.
type Summary struct {
	Count int     `json:"count"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of sorted
// (ascending), or 0 when sorted is empty: the smallest value with at least p% of
// the values at or below it.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summarize returns the count, extremes, mean and p50/p95/p99 of values (seconds).
func Summarize(values []float64) Summary {
	if len(values) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	sum := 0.0
	for _, v := range sorted {
		sum += v
	}
	return Summary{
		Count: len(sorted),
		Min:   sorted[0],
		P50:   Percentile(sorted, 50),
		P95:   Percentile(sorted, 95),
		P99:   Percentile(sorted, 99),
		Max:   sorted[len(sorted)-1],
		Mean:  sum / float64(len(sorted)),
	}
}

// PhaseTime returns when vmi entered phase according to its
// status.phaseTransitionTimestamps (the last entry of that phase), and whether it
// did.
func PhaseTime(vmi *virtv1.VirtualMachineInstance, phase virtv1.VirtualMachineInstancePhase) (time.Time, bool) {
	var at *metav1.Time
	for i := range vmi.Status.PhaseTransitionTimestamps {
		ts := &vmi.Status.PhaseTransitionTimestamps[i]
		if ts.Phase == phase && ts.PhaseTransitionTimestamp != nil {
			at = ts.PhaseTransitionTimestamp
		}
	}
	if at == nil {
		return time.Time{}, false
	}
	return at.Time, true
}

// SinceCreation returns how long vmi took from its creationTimestamp to entering
// phase, in seconds, and whether it entered it. Both timestamps have 1 s
// resolution, so each value is exact only to ±1 s; a negative difference (clock
// skew between writers) counts as 0.
func SinceCreation(vmi *virtv1.VirtualMachineInstance, phase virtv1.VirtualMachineInstancePhase) (float64, bool) {
	at, ok := PhaseTime(vmi, phase)
	if !ok {
		return 0, false
	}
	return max(at.Sub(vmi.CreationTimestamp.Time).Seconds(), 0), true
}
