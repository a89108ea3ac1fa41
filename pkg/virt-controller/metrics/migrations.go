package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/labels"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
)

// migrations reports upstream's migration metrics from the migration cache at
// scrape time: how many migrations are in each stage, and one series per
// finished migration saying how it ended.
type migrations struct {
	lister                              virtlisters.VirtualMachineInstanceMigrationLister
	unset, pending, scheduling, running *prometheus.Desc
	succeeded, failed                   *prometheus.Desc
}

// NewMigrations returns the collector of kubevirt_vmi_migrations_in_*_phase
// and kubevirt_vmi_migration_{succeeded,failed}.
func NewMigrations(lister virtlisters.VirtualMachineInstanceMigrationLister) prometheus.Collector {
	perMigration := []string{"vmi", "vmim", "namespace"}
	return &migrations{lister: lister,
		unset: prometheus.NewDesc("kubevirt_vmi_migrations_in_unset_phase",
			"Migrations virt-controller has not picked up yet (no phase).", nil, nil),
		pending: prometheus.NewDesc("kubevirt_vmi_migrations_in_pending_phase",
			"Migrations waiting for their VMI to run or for a parallel-limit slot.", nil, nil),
		scheduling: prometheus.NewDesc("kubevirt_vmi_migrations_in_scheduling_phase",
			"Migrations whose target pod exists but is not running yet.", nil, nil),
		running: prometheus.NewDesc("kubevirt_vmi_migrations_in_running_phase",
			"Migrations past scheduling and not finished: Scheduled, PreparingTarget, TargetReady or Running.", nil, nil),
		succeeded: prometheus.NewDesc("kubevirt_vmi_migration_succeeded",
			"1 for each migration that succeeded (while its object exists).", perMigration, nil),
		failed: prometheus.NewDesc("kubevirt_vmi_migration_failed",
			"1 for each migration that failed (while its object exists).", perMigration, nil),
	}
}

func (c *migrations) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.unset, c.pending, c.scheduling, c.running, c.succeeded, c.failed} {
		ch <- d
	}
}

func (c *migrations) Collect(ch chan<- prometheus.Metric) {
	all, err := c.lister.List(labels.Everything())
	if err != nil {
		return
	}
	counts := map[*prometheus.Desc]int{c.unset: 0, c.pending: 0, c.scheduling: 0, c.running: 0}
	for _, m := range all {
		switch m.Status.Phase {
		case virtv1.MigrationPhaseUnset:
			counts[c.unset]++
		case virtv1.MigrationPending:
			counts[c.pending]++
		case virtv1.MigrationScheduling:
			counts[c.scheduling]++
		case virtv1.MigrationScheduled, virtv1.MigrationPreparingTarget, virtv1.MigrationTargetReady, virtv1.MigrationRunning:
			counts[c.running]++
		case virtv1.MigrationSucceeded:
			ch <- prometheus.MustNewConstMetric(c.succeeded, prometheus.GaugeValue, 1, m.Spec.VMIName, m.Name, m.Namespace)
		case virtv1.MigrationFailed:
			ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, 1, m.Spec.VMIName, m.Name, m.Namespace)
		}
	}
	for d, n := range counts {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(n))
	}
}
