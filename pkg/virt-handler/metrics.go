package virthandler

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/componentmetrics"
	"kvirt.io/kvirt/pkg/metricsserver"
	"kvirt.io/kvirt/pkg/virt-handler/domainstats"
	"kvirt.io/kvirt/pkg/virt-handler/migrationmetrics"
	"kvirt.io/kvirt/pkg/virt-handler/vmi"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// serveMetrics serves /metrics over TLS with the node API's serving
// certificate: the component metrics, every launcher's domain stats and the
// migrations this node sends.
// It does nothing without a metrics address or a certificate; with a
// certificate still being issued, handshakes fail until it is.
func (o *Options) serveMetrics(ctx context.Context, wg *sync.WaitGroup, ctrl *vmi.Controller, cert certGetter) error {
	if o.MetricsListen == "" || cert == nil {
		return nil
	}
	reg := prometheus.NewRegistry()
	status, err := componentmetrics.Register(reg, "virt-handler", false)
	if err != nil {
		return err
	}
	reg.MustRegister(domainstats.New(domainstats.Config{NodeName: o.NodeName,
		Launchers: statsLaunchers{ctrl}, Deadline: o.MetricsLauncherDeadline}),
		migrationmetrics.New(o.NodeName, ctrl))
	if err := metricsserver.ServeTLS(ctx, wg, o.MetricsListen, cert,
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{})); err != nil {
		return err
	}
	status.SetReady(true)
	return nil
}

// statsLaunchers adapts the VMI controller to the domain stats collector.
type statsLaunchers struct{ ctrl *vmi.Controller }

func (s statsLaunchers) VMIs() []*virtv1.VirtualMachineInstance { return s.ctrl.RunningVMIs() }

func (s statsLaunchers) DomainStats(ctx context.Context, v *virtv1.VirtualMachineInstance) (*launcherv1.DomainStatsReply, error) {
	return s.ctrl.DomainStats(ctx, v)
}
