package driver

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync/atomic"
	"testing"

	"kvirt.io/kvirt/tests/framework/prometheus"
	"kvirt.io/kvirt/tests/perf/internal/promtext"
	"kvirt.io/kvirt/tests/perf/kwok/report"
)

func TestApiserverRows(t *testing.T) {
	got := apiserverRows(promtext.Counts{"POST|pods|": 20, "PATCH|virtualmachineinstances|status": 40}, 20)
	want := []report.Requests{
		{Verb: "PATCH", Resource: "virtualmachineinstances/status", Count: 40, PerVMI: 2},
		{Verb: "POST", Resource: "pods", Count: 20, PerVMI: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("apiserverRows = %+v, want %+v", got, want)
	}
}

type fakeQuerier map[string][]prometheus.Sample

func (f fakeQuerier) Query(_ context.Context, q string) ([]prometheus.Sample, error) {
	s, ok := f[q]
	if !ok {
		return nil, errors.New("no such query")
	}
	return s, nil
}

func TestPromMapAndRows(t *testing.T) {
	q := fakeQuerier{
		queryQueueDepth: {{Metric: map[string]string{"component": "virt-controller", "name": "vmi"}, Value: 3}},
		queryQueueP99: {
			{Metric: map[string]string{"component": "virt-controller", "name": "vmi"}, Value: 0.25},
			{Metric: map[string]string{"component": "virt-controller", "name": "vm"}, Value: math.NaN()},
		},
	}
	depth := promMap(context.Background(), q, queryQueueDepth, "component", "name")
	p99 := promMap(context.Background(), q, queryQueueP99, "component", "name")
	if !reflect.DeepEqual(depth, map[string]float64{"virt-controller/vmi": 3}) || !reflect.DeepEqual(p99, map[string]float64{"virt-controller/vmi": 0.25}) {
		t.Errorf("promMap = %v %v", depth, p99)
	}
	if got := promMap(context.Background(), q, queryRSS, "component"); got != nil {
		t.Errorf("failed query = %v, want nil", got)
	}
	samples := []report.Sample{
		{QueueDepth: depth, QueueP99: p99, RSS: map[string]float64{"virt-api": 10}},
		{QueueDepth: map[string]float64{"virt-controller/vmi": 9}, RSS: map[string]float64{"virt-api": 30}},
	}
	if got, want := queueRows(samples), []report.Queue{{Component: "virt-controller", Name: "vmi", PeakDepth: 9, PeakP99Sec: 0.25}}; !reflect.DeepEqual(got, want) {
		t.Errorf("queueRows = %+v, want %+v", got, want)
	}
	got := componentRows(promtext.Counts{"virt-api": 1.5, "virt-controller": 4}, samples)
	want := []report.Component{{Name: "virt-api", CPUSeconds: 1.5, PeakRSS: 30}, {Name: "virt-controller", CPUSeconds: 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("componentRows = %+v, want %+v", got, want)
	}
}

func TestParallel(t *testing.T) {
	var calls atomic.Int64
	seen := make([]atomic.Bool, 50)
	err := parallel(context.Background(), 50, 4, 0, func(_ context.Context, i int) error {
		calls.Add(1)
		seen[i].Store(true)
		return nil
	})
	if err != nil || calls.Load() != 50 {
		t.Fatalf("parallel = %v after %d calls", err, calls.Load())
	}
	for i := range seen {
		if !seen[i].Load() {
			t.Errorf("index %d never called", i)
		}
	}
	boom := errors.New("boom")
	calls.Store(0)
	err = parallel(context.Background(), 1000, 2, 0, func(_ context.Context, i int) error {
		calls.Add(1)
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() == 1000 {
		t.Errorf("parallel with an error = %v after %d calls", err, calls.Load())
	}
}

func TestValidate(t *testing.T) {
	if err := (&Config{}).Validate(); err == nil {
		t.Error("empty config is valid")
	}
}
