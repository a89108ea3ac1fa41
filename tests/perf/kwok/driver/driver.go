package driver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/perf/internal/promtext"
	"kvirt.io/kvirt/tests/perf/internal/stats"
	"kvirt.io/kvirt/tests/perf/kwok/report"
)

// NotCreated counts, among the phases of a timed-out run, the VMIs that were never
// created (by the VM or VMIRS controller).
const NotCreated = "<not created>"

// stuckListed is how many names of VMIs not Running a timeout reports.
const stuckListed = 20

// ErrStuck is returned (wrapped) when VMIs did not reach Running, or were not
// gone after deletion, before the deadline. The report is returned with it.
var ErrStuck = errors.New("vmis stuck")

// Config is one run.
type Config struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
	// APIServer reads the apiserver's /metrics (e.g. Kube.CoreV1().RESTClient()).
	APIServer rest.Interface
	// Prometheus, when set, is queried for the kvirt components' series.
	Prometheus    Querier
	PrometheusURL string
	Namespace     string
	// VMIs is how many VMIs to bring to Running.
	VMIs int
	// Rate is creates per second; 0 creates as fast as the API allows.
	Rate float64
	// Workers issue the creates in parallel.
	Workers int
	// Kind is one of Kinds.
	Kind         string
	Image        string
	NodeSelector map[string]string
	// Timeout bounds the wait for all Running, and separately the deletion.
	Timeout time.Duration
	// SampleEvery is the sampling interval (default 5 s).
	SampleEvery time.Duration
}

// Validate reports a config Run cannot use.
func (c *Config) Validate() error {
	switch {
	case c.Kube == nil || c.Kvirt == nil || c.APIServer == nil:
		return errors.New("clients are required")
	case c.Namespace == "":
		return errors.New("namespace is required")
	case c.VMIs <= 0:
		return fmt.Errorf("vmis must be positive, not %d", c.VMIs)
	case c.Rate < 0:
		return fmt.Errorf("rate must not be negative, not %g", c.Rate)
	case !slices.Contains(Kinds, c.Kind):
		return fmt.Errorf("kind %q is none of %v", c.Kind, Kinds)
	case c.Timeout <= 0:
		return errors.New("timeout must be positive")
	}
	return nil
}

type run struct {
	cfg     Config
	tracker *tracker
	rep     *report.Report
	sampler *sampler
	// cpu is the components' CPU seconds used over creation and the wait.
	cpu promtext.Counts
	// stuck is the error of VMIs not Running at the deadline.
	stuck error
	// requests is apiserver_request_total after the wait.
	requests promtext.Counts
}

// Run creates the VMIs, waits for all Running, deletes everything and returns the
// report. When VMIs got stuck it still deletes and returns the report, with an
// error wrapping ErrStuck; other errors may come with a nil report.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = 5 * time.Second
	}
	log := klog.FromContext(ctx)
	r := &run{cfg: cfg, rep: &report.Report{Kind: cfg.Kind, VMIs: cfg.VMIs, Namespace: cfg.Namespace, Rate: cfg.Rate,
		Prometheus: cfg.PrometheusURL, APIServerRequests: []report.Requests{}, Samples: []report.Sample{}}}
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	r.tracker = newTracker(cfg.Kube, cfg.Kvirt, cfg.Namespace)
	// Every goroutine of the run has ended when Run returns.
	defer r.tracker.wait()
	defer stopWatch()
	if err := r.tracker.start(watchCtx); err != nil {
		return nil, err
	}
	defer func() {
		if r.sampler != nil {
			r.sampler.stop()
		}
	}()
	if err := r.measureCreation(ctx); err != nil {
		return nil, err
	}
	log.Info("deleting", "namespace", cfg.Namespace)
	r.sampler.setPhase("delete")
	gone, err := r.deleteAll(ctx, time.Now())
	r.sampler.stop()
	if after, rerr := apiserverRequests(ctx, cfg.APIServer); rerr == nil {
		r.rep.DeleteAPIServerRequests = apiserverRows(promtext.Delta(r.requests, after), cfg.VMIs)
	} else {
		err = errors.Join(err, rerr)
	}
	r.rep.Samples = r.sampler.samples()
	r.finish()
	if err != nil {
		return r.rep, err
	}
	if !gone {
		_, left, pods := r.tracker.counts()
		r.stuck = errors.Join(r.stuck, fmt.Errorf("%w: %d VMIs and %d pods still exist %s after deleting", ErrStuck, left, pods, cfg.Timeout))
	}
	return r.rep, r.stuck
}

// prepare makes sure the namespace exists and holds nothing of an earlier run.
func (r *run) prepare(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.cfg.Namespace}}
	if _, err := r.cfg.Kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace: %w", err)
	}
	left, err := r.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(r.cfg.Namespace).List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return fmt.Errorf("list vmis: %w", err)
	}
	if len(left.Items) > 0 {
		return fmt.Errorf("namespace %s still holds VMIs (of an earlier run?): delete them first", r.cfg.Namespace)
	}
	return nil
}

// measureCreation reads the counters, creates the objects and waits for all
// Running, setting r.stuck when not all got there.
func (r *run) measureCreation(ctx context.Context) error {
	cfg, log := r.cfg, klog.FromContext(ctx)
	before, err := apiserverRequests(ctx, cfg.APIServer)
	if err != nil {
		return err
	}
	promBefore := r.promReadings(ctx)
	start := time.Now()
	r.rep.Started = start
	r.sampler = startSampler(ctx, r, start)
	log.Info("creating", "kind", cfg.Kind, "vmis", cfg.VMIs, "rate", cfg.Rate, "namespace", cfg.Namespace)
	if err := r.create(ctx); err != nil {
		r.sampler.stop()
		return err
	}
	r.rep.CreateSeconds = time.Since(start).Seconds()
	log.Info("created, waiting for Running", "seconds", r.rep.CreateSeconds)
	allRunning, at := r.tracker.waitFor(ctx, start.Add(cfg.Timeout), func(running, _, _ int) bool { return running >= cfg.VMIs })
	r.rep.AllRunningSeconds = at.Sub(start).Seconds()
	r.rep.Running, _, _ = r.tracker.counts()
	if !allRunning {
		r.rep.TimedOut = true
		r.rep.PhaseCounts, r.rep.Stuck = r.tracker.stuck(stuckListed)
		if _, existing, _ := r.tracker.counts(); existing < cfg.VMIs {
			// VMs or the VMIRS did not make them all.
			r.rep.PhaseCounts[NotCreated] = cfg.VMIs - existing
		}
		r.stuck = fmt.Errorf("%w: %d of %d Running after %s; by phase %v; stuck: %v",
			ErrStuck, r.rep.Running, cfg.VMIs, cfg.Timeout, r.rep.PhaseCounts, r.rep.Stuck)
	}
	r.rep.CreationToRunning = creationToRunning(r.tracker.vmiList())
	r.rep.ObservedCreationToRunning = stats.Summarize(r.tracker.observedLatencies())
	if missing := r.rep.Running - r.rep.CreationToRunning.Count; missing > 0 {
		r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("%d Running VMIs carry no Running phaseTransitionTimestamp "+
			"(does the VMI Stage append one?): left out of the creation→Running percentiles.", missing))
	}
	// The apiserver counts a request once it has answered it: let the last ones land.
	sleep(ctx, time.Second)
	after, err := apiserverRequests(ctx, cfg.APIServer)
	if err != nil {
		return err
	}
	r.rep.APIServerRequests = apiserverRows(promtext.Delta(before, after), cfg.VMIs)
	r.requests = after
	r.promDeltas(ctx, promBefore)
	return nil
}

// creationToRunning summarizes each Running VMI's phase-transition latency.
func creationToRunning(vmis []*virtv1.VirtualMachineInstance) stats.Summary {
	var values []float64
	for _, vmi := range vmis {
		if d, ok := stats.SinceCreation(vmi, virtv1.Running); ok {
			values = append(values, d)
		}
	}
	return stats.Summarize(values)
}

// finish derives the per-component and per-queue rows from the samples.
func (r *run) finish() {
	r.rep.Queues = queueRows(r.rep.Samples)
	if r.cfg.Prometheus != nil {
		r.rep.Components = componentRows(r.cpu, r.rep.Samples)
	}
	r.rep.Notes = append(r.rep.Notes,
		"apiserver_request_total counts every client over creation and the wait, KWOK's Stages (playing the kubelet and virt-handler) included.",
		"Phase-transition and creation timestamps have 1 s resolution.")
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
