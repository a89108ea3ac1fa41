package domainstats

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Launchers is what the collector needs from virt-handler: for each launcher
// of this node, a way to call DomainStats.
type Launchers interface {
	// VMIs lists the VMIs whose launchers run on this node; the collector
	// takes namespace, name and UID from these objects only.
	VMIs() []*virtv1.VirtualMachineInstance
	// DomainStats asks the VMI's launcher for its stats; it should honour
	// ctx, but the collector does not wait past its deadline either way.
	DomainStats(ctx context.Context, vmi *virtv1.VirtualMachineInstance) (*launcherv1.DomainStatsReply, error)
}

// DefaultDeadline bounds one scrape's wait for launchers.
const DefaultDeadline = 3 * time.Second

// Config wires a Collector.
type Config struct {
	// NodeName is the node label of every series.
	NodeName  string
	Launchers Launchers
	// Deadline bounds the wait for all launchers of one scrape; zero means
	// DefaultDeadline.
	Deadline time.Duration
}

// Collector is a prometheus.Collector of the node's domain stats.
type Collector struct {
	cfg    Config
	errors prometheus.Counter
}

// New returns the collector; register it on the handler's registry.
func New(cfg Config) *Collector {
	if cfg.Deadline <= 0 {
		cfg.Deadline = DefaultDeadline
	}
	return &Collector{cfg: cfg, errors: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kubevirt_vmi_domainstats_scrape_errors_total",
		Help: "Launchers whose domain stats a scrape skipped because they failed or missed the deadline.",
	})}
}

// Describe sends every descriptor the collector may emit.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.errors.Desc()
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect gathers every launcher's stats and renders them.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.gather(context.Background()) {
		render(ch, c.cfg.NodeName, r.vmi, r.reply)
	}
	ch <- c.errors
}

type result struct {
	vmi   *virtv1.VirtualMachineInstance
	reply *launcherv1.DomainStatsReply
	err   error
}

// gather calls every launcher in parallel and returns the replies that came
// back in time; the rest are counted as errors. Late calls finish in the
// background and are dropped.
func (c *Collector) gather(parent context.Context) []result {
	vmis := c.cfg.Launchers.VMIs()
	if len(vmis) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(parent, c.cfg.Deadline)
	defer cancel()
	results := make(chan result, len(vmis))
	for _, vmi := range vmis {
		go func() {
			reply, err := c.cfg.Launchers.DomainStats(ctx, vmi)
			results <- result{vmi: vmi, reply: reply, err: err}
		}()
	}
	var out []result
	for pending := len(vmis); pending > 0; pending-- {
		select {
		case r := <-results:
			if r.err != nil || r.reply == nil {
				c.errors.Inc()
				continue
			}
			out = append(out, r)
		case <-ctx.Done():
			c.errors.Add(float64(pending))
			return out
		}
	}
	return out
}
