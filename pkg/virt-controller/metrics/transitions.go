package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	virtv1 "kvirt.io/api/core/v1"
)

// phaseBuckets cover seconds from sub-second to an hour.
var phaseBuckets = []float64{0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 90, 120, 180, 240, 300, 600, 1800, 3600}

// transitions are upstream's VMI phase transition histograms.
type transitions struct {
	fromCreation, between, fromDeletion *prometheus.HistogramVec
}

func newTransitions(reg prometheus.Registerer) *transitions {
	t := &transitions{
		fromCreation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kubevirt_vmi_phase_transition_time_from_creation_seconds",
			Help: "Seconds from VMI creation to entering each phase.", Buckets: phaseBuckets,
		}, []string{"phase"}),
		between: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kubevirt_vmi_phase_transition_time_seconds",
			Help: "Seconds from entering last_phase to entering phase.", Buckets: phaseBuckets,
		}, []string{"phase", "last_phase"}),
		fromDeletion: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kubevirt_vmi_phase_transition_time_from_deletion_seconds",
			Help: "Seconds from the VMI's deletion request to entering each phase.", Buckets: phaseBuckets,
		}, []string{"phase"}),
	}
	reg.MustRegister(t.fromCreation, t.between, t.fromDeletion)
	return t
}

// ObserveTransitions records every phaseTransitionTimestamps entry that new
// has and old has not, whoever wrote it (virt-controller or virt-handler):
// call it from the VMI informer's update events.
func (r *Registry) ObserveTransitions(old, new *virtv1.VirtualMachineInstance) {
	seen := map[virtv1.VirtualMachineInstancePhase]bool{}
	if old != nil {
		for _, ts := range old.Status.PhaseTransitionTimestamps {
			seen[ts.Phase] = true
		}
	}
	var last *virtv1.VirtualMachineInstancePhaseTransitionTimestamp
	for i := range new.Status.PhaseTransitionTimestamps {
		ts := &new.Status.PhaseTransitionTimestamps[i]
		if ts.PhaseTransitionTimestamp == nil {
			continue
		}
		if !seen[ts.Phase] {
			r.observe(new, ts, last)
		}
		last = ts
	}
}

func (r *Registry) observe(vmi *virtv1.VirtualMachineInstance, ts, last *virtv1.VirtualMachineInstancePhaseTransitionTimestamp) {
	at := ts.PhaseTransitionTimestamp.Time
	phase := string(ts.Phase)
	r.transitions.fromCreation.WithLabelValues(phase).Observe(nonNegative(at.Sub(vmi.CreationTimestamp.Time).Seconds()))
	if last != nil {
		r.transitions.between.WithLabelValues(phase, string(last.Phase)).
			Observe(nonNegative(at.Sub(last.PhaseTransitionTimestamp.Time).Seconds()))
	}
	if del := vmi.DeletionTimestamp; del != nil && !at.Before(del.Time) {
		r.transitions.fromDeletion.WithLabelValues(phase).Observe(at.Sub(del.Time).Seconds())
	}
}

func nonNegative(s float64) float64 {
	if s < 0 {
		return 0
	}
	return s
}
