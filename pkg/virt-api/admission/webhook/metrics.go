package webhook

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the admission counters and latencies virt-api exports.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics creates the admission metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubevirt_virt_api_admission_requests_total",
			Help: "Admission reviews answered, by webhook path, operation and verdict.",
		}, []string{"path", "operation", "allowed"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kubevirt_virt_api_admission_duration_seconds",
			Help:    "Time to answer an admission review, by webhook path.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9),
		}, []string{"path"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *Metrics) observe(path, op string, ok bool, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(path, op, strconv.FormatBool(ok)).Inc()
	m.duration.WithLabelValues(path).Observe(d.Seconds())
}
