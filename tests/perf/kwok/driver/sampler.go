package driver

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/tests/perf/internal/promtext"
	"kvirt.io/kvirt/tests/perf/kwok/report"
)

// sampler records a report.Sample every interval until stopped.
type sampler struct {
	run   *run
	start time.Time

	mu    sync.Mutex
	phase string
	out   []report.Sample

	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

func startSampler(ctx context.Context, r *run, start time.Time) *sampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &sampler{run: r, start: start, phase: "create", cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(r.cfg.SampleEvery)
		defer tick.Stop()
		for {
			s.take(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) setPhase(p string) {
	s.mu.Lock()
	s.phase = p
	s.mu.Unlock()
}

// stop ends sampling after one last sample; safe to call more than once.
func (s *sampler) stop() {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		s.take(context.Background())
	})
}

func (s *sampler) samples() []report.Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]report.Sample(nil), s.out...)
}

func (s *sampler) take(ctx context.Context) {
	running, vmis, pods := s.run.tracker.counts()
	sm := report.Sample{Seconds: time.Since(s.start).Seconds(), Running: running, VMIs: vmis, Pods: pods}
	if q := s.run.cfg.Prometheus; q != nil && ctx.Err() == nil {
		qctx, cancel := context.WithTimeout(ctx, s.run.cfg.SampleEvery)
		sm.RSS = promMap(qctx, q, queryRSS, "component")
		sm.QueueDepth = promMap(qctx, q, queryQueueDepth, "component", "name")
		sm.QueueP99 = promMap(qctx, q, queryQueueP99, "component", "name")
		cancel()
	}
	s.mu.Lock()
	sm.Phase = s.phase
	s.out = append(s.out, sm)
	s.mu.Unlock()
}

// promMap runs query and keys its finite values by the labels joined with "/";
// a failed query is logged and gives nil (Prometheus is optional).
func promMap(ctx context.Context, q Querier, query string, labels ...string) map[string]float64 {
	c, err := promCounts(ctx, q, query, labels...)
	if err != nil {
		klog.FromContext(ctx).Info("prometheus query failed", "query", query, "err", err)
		return nil
	}
	out := make(map[string]float64, len(c))
	for k, v := range c {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[strings.ReplaceAll(k, promtext.KeySep, "/")] = v
		}
	}
	return out
}

// promReading is what Prometheus said at one moment about counters.
type promReading struct{ requests, cpu promtext.Counts }

// promReadings reads the counters compared between start and end; nil without
// Prometheus or when it does not answer.
func (r *run) promReadings(ctx context.Context) *promReading {
	if r.cfg.Prometheus == nil {
		return nil
	}
	req, err := promCounts(ctx, r.cfg.Prometheus, queryClientRequests, "component", "verb", "resource")
	if err != nil {
		klog.FromContext(ctx).Info("prometheus query failed", "query", queryClientRequests, "err", err)
		return nil
	}
	cpu, err := promCounts(ctx, r.cfg.Prometheus, queryCPU, "component")
	if err != nil {
		klog.FromContext(ctx).Info("prometheus query failed", "query", queryCPU, "err", err)
		return nil
	}
	return &promReading{requests: req, cpu: cpu}
}

// promDeltas waits two scrape intervals (so the last requests are scraped), reads
// the counters again and stores the increases since before.
func (r *run) promDeltas(ctx context.Context, before *promReading) {
	if before == nil {
		return
	}
	sleep(ctx, 2*r.cfg.SampleEvery)
	after := r.promReadings(ctx)
	if after == nil {
		return
	}
	r.rep.ClientRequests = clientRows(promtext.Delta(before.requests, after.requests), r.cfg.VMIs)
	r.cpu = promtext.Delta(before.cpu, after.cpu)
}
