package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is one process's metrics.
type Registry struct {
	reg     *prometheus.Registry
	rest    *restMetrics
	queues  *queueMetrics
	phases  *prometheus.HistogramVec
	leading prometheus.Gauge
}

// New creates the registry with Go and process collectors.
func New() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r := &Registry{
		reg:    reg,
		rest:   newRESTMetrics(reg),
		queues: newQueueMetrics(reg),
		phases: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kubevirt_vmi_phase_transition_time_from_creation_seconds",
			Help:    "Seconds from VMI creation to entering each phase.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 90, 120, 180, 240, 300, 600, 1800, 3600},
		}, []string{"phase"}),
		leading: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kubevirt_virt_controller_leading_status",
			Help: "1 while this virt-controller holds the leader lease.",
		}),
	}
	reg.MustRegister(r.phases, r.leading)
	return r
}

// Handler serves the registry in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Register adds a collector (for example the VMI phase counter).
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// SetLeading records whether this process leads.
func (r *Registry) SetLeading(leading bool) {
	if leading {
		r.leading.Set(1)
	} else {
		r.leading.Set(0)
	}
}

// Gather exposes the registry to tests and reports.
func (r *Registry) Gather() prometheus.Gatherer { return r.reg }
