package migrationmetrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Progress is one running migration's last report from its source launcher.
type Progress struct {
	Namespace, Name string
	// The bytes libvirt has sent, still has to send and will send in all,
	// and the guest's dirty rate (bytes per second).
	Processed, Remaining, Total, DirtyRate uint64
}

// Source lists the migrations this node sends.
type Source interface {
	Migrations() []Progress
}

var (
	labels    = []string{"namespace", "name", "node"}
	processed = prometheus.NewDesc("kubevirt_vmi_migration_data_processed_bytes",
		"The bytes a running live migration has sent so far.", labels, nil)
	remaining = prometheus.NewDesc("kubevirt_vmi_migration_data_remaining_bytes",
		"The bytes a running live migration still has to send.", labels, nil)
	total = prometheus.NewDesc("kubevirt_vmi_migration_data_bytes_total",
		"The bytes a running live migration sends in all, as libvirt estimates them.", labels, nil)
	dirty = prometheus.NewDesc("kubevirt_vmi_migration_dirty_memory_rate_bytes",
		"The rate at which a migrating guest dirties its memory, in bytes per second.", labels, nil)
)

// Collector reports Source's migrations.
type Collector struct {
	node   string
	source Source
}

// New is a collector for the migrations node sends.
func New(node string, source Source) *Collector { return &Collector{node: node, source: source} }

// Describe sends the descriptors.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{processed, remaining, total, dirty} {
		ch <- d
	}
}

// Collect sends one series of each gauge per running migration.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.source.Migrations() {
		for _, m := range []struct {
			d *prometheus.Desc
			v uint64
		}{{processed, p.Processed}, {remaining, p.Remaining}, {total, p.Total}, {dirty, p.DirtyRate}} {
			ch <- prometheus.MustNewConstMetric(m.d, prometheus.GaugeValue, float64(m.v), p.Namespace, p.Name, c.node)
		}
	}
}
