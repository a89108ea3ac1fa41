package componentmetrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"kvirt.io/kvirt/pkg/version"
)

// Status is a component's ready and leading gauges.
type Status struct {
	ready, leading prometheus.Gauge
}

// Register adds the Go and process collectors, kubevirt_info and the
// component's ready status to reg; withLeading adds the leading status too.
// component is the binary's name, e.g. "virt-handler".
func Register(reg prometheus.Registerer, component string, withLeading bool) (*Status, error) {
	v := version.Get()
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "kubevirt_info", Help: "Version information.",
		ConstLabels: prometheus.Labels{"goversion": v.GoVersion, "kubeversion": v.GitVersion}})
	info.Set(1)
	prefix := "kubevirt_" + strings.ReplaceAll(component, "-", "_")
	s := &Status{ready: prometheus.NewGauge(prometheus.GaugeOpts{Name: prefix + "_ready_status",
		Help: "1 while this " + component + " is ready to serve."})}
	cs := []prometheus.Collector{collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), info, s.ready}
	if withLeading {
		s.leading = prometheus.NewGauge(prometheus.GaugeOpts{Name: prefix + "_leading_status",
			Help: "1 while this " + component + " holds the leader lease."})
		cs = append(cs, s.leading)
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// SetReady records readiness; a no-op on a nil Status (metrics disabled).
func (s *Status) SetReady(ready bool) {
	if s != nil {
		s.ready.Set(b2f(ready))
	}
}

// SetLeading records leadership; a no-op without leader election or on a nil
// Status.
func (s *Status) SetLeading(leading bool) {
	if s != nil && s.leading != nil {
		s.leading.Set(b2f(leading))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
