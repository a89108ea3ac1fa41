package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kvirt.io/kvirt/pkg/componentmetrics"
)

// Registry is one process's metrics.
type Registry struct {
	reg         *prometheus.Registry
	rest        *restMetrics
	queues      *queueMetrics
	transitions *transitions
	status      *componentmetrics.Status
}

// New creates the registry with the component metrics (Go, process,
// kubevirt_info, ready and leading status).
func New() *Registry {
	reg := prometheus.NewRegistry()
	status, err := componentmetrics.Register(reg, "virt-controller", true)
	if err != nil {
		panic(err) // a fresh registry cannot hold duplicates
	}
	return &Registry{
		reg:         reg,
		rest:        newRESTMetrics(reg),
		queues:      newQueueMetrics(reg),
		transitions: newTransitions(reg),
		status:      status,
	}
}

// Handler serves the registry in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Register adds a collector (for example the VMI phase counter).
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// Unregister removes a collector with the same descriptors, if any.
func (r *Registry) Unregister(c prometheus.Collector) { r.reg.Unregister(c) }

// SetLeading records whether this process leads.
func (r *Registry) SetLeading(leading bool) { r.status.SetLeading(leading) }

// SetReady records whether this process is ready (serving, caches synced).
func (r *Registry) SetReady(ready bool) { r.status.SetReady(ready) }

// Gather exposes the registry to tests and reports.
func (r *Registry) Gather() prometheus.Gatherer { return r.reg }
