package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/labels"

	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
)

// phaseCount reports kubevirt_vmi_phase_count from the VMI cache at scrape time.
type phaseCount struct {
	vmis virtlisters.VirtualMachineInstanceLister
	desc *prometheus.Desc
}

// NewPhaseCount returns the collector of VMIs per node and phase.
func NewPhaseCount(vmis virtlisters.VirtualMachineInstanceLister) prometheus.Collector {
	return &phaseCount{vmis: vmis, desc: prometheus.NewDesc("kubevirt_vmi_phase_count",
		"VMIs per node and phase.", []string{"node", "phase"}, nil)}
}

func (c *phaseCount) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *phaseCount) Collect(ch chan<- prometheus.Metric) {
	vmis, err := c.vmis.List(labels.Everything())
	if err != nil {
		return
	}
	type key struct{ node, phase string }
	counts := map[key]int{}
	for _, vmi := range vmis {
		counts[key{vmi.Status.NodeName, string(vmi.Status.Phase)}]++
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), k.node, k.phase)
	}
}
