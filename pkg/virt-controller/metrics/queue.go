package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

// queueMetrics implements client-go's workqueue.MetricsProvider with upstream's
// kubevirt_workqueue_* names, labelled by queue name.
type queueMetrics struct {
	depth, unfinished, longest *prometheus.GaugeVec
	adds, retries              *prometheus.CounterVec
	latency, work              *prometheus.HistogramVec
}

func newQueueMetrics(reg prometheus.Registerer) *queueMetrics {
	buckets := prometheus.ExponentialBuckets(10e-9, 10, 12)
	label := []string{"name"}
	m := &queueMetrics{
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubevirt_workqueue_depth", Help: "Current depth of the workqueue."}, label),
		unfinished: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubevirt_workqueue_unfinished_work_seconds",
			Help: "Seconds of work in progress not yet observed by work_duration."}, label),
		longest: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubevirt_workqueue_longest_running_processor_seconds",
			Help: "Seconds the longest running processor has been running."}, label),
		adds:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubevirt_workqueue_adds_total", Help: "Adds handled by the workqueue."}, label),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubevirt_workqueue_retries_total", Help: "Retries handled by the workqueue."}, label),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubevirt_workqueue_queue_duration_seconds",
			Help: "Seconds an item waits in the workqueue before being processed.", Buckets: buckets}, label),
		work: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubevirt_workqueue_work_duration_seconds",
			Help: "Seconds processing an item takes.", Buckets: buckets}, label),
	}
	reg.MustRegister(m.depth, m.unfinished, m.longest, m.adds, m.retries, m.latency, m.work)
	return m
}

// QueueMetrics is the provider to pass to workqueues.
func (r *Registry) QueueMetrics() workqueue.MetricsProvider { return r.queues }

func (m *queueMetrics) NewDepthMetric(name string) workqueue.GaugeMetric {
	return m.depth.WithLabelValues(name)
}

func (m *queueMetrics) NewAddsMetric(name string) workqueue.CounterMetric {
	return m.adds.WithLabelValues(name)
}

func (m *queueMetrics) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return m.latency.WithLabelValues(name)
}

func (m *queueMetrics) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return m.work.WithLabelValues(name)
}

func (m *queueMetrics) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return m.unfinished.WithLabelValues(name)
}

func (m *queueMetrics) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return m.longest.WithLabelValues(name)
}

func (m *queueMetrics) NewRetriesMetric(name string) workqueue.CounterMetric {
	return m.retries.WithLabelValues(name)
}
