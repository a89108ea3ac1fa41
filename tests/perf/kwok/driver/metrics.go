package driver

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/tests/framework/prometheus"
	"kvirt.io/kvirt/tests/perf/internal/promtext"
	"kvirt.io/kvirt/tests/perf/kwok/report"
)

// Querier evaluates an instant PromQL query (tests/framework/prometheus.Client).
type Querier interface {
	Query(ctx context.Context, promql string) ([]prometheus.Sample, error)
}

// components are the kvirt components whose CPU, memory and queues are reported.
const components = `component=~"virt-controller|virt-api"`

// PromQL of the Prometheus readings (labels as hack/prometheus.sh sets them).
const (
	queryClientRequests = `sum by (component, verb, resource) (kubevirt_rest_client_requests_total)`
	queryCPU            = `sum by (component) (process_cpu_seconds_total{` + components + `})`
	queryRSS            = `max by (component) (process_resident_memory_bytes{` + components + `})`
	queryQueueDepth     = `sum by (component, name) (kubevirt_workqueue_depth)`
	queryQueueP99       = `histogram_quantile(0.99, sum by (component, name, le) (rate(kubevirt_workqueue_queue_duration_seconds_bucket[30s])))`
)

// apiserverRequests reads apiserver_request_total from the apiserver's /metrics
// by verb, resource and subresource.
func apiserverRequests(ctx context.Context, c rest.Interface) (promtext.Counts, error) {
	raw, err := c.Get().AbsPath("/metrics").SetHeader("Accept", "text/plain; version=0.0.4").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("apiserver /metrics: %w", err)
	}
	fams, err := promtext.Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return fams.SumBy("apiserver_request_total", "verb", "resource", "subresource"), nil
}

// promCounts runs query and keys its samples by the values of labels joined
// with promtext.KeySep.
func promCounts(ctx context.Context, q Querier, query string, labels ...string) (promtext.Counts, error) {
	samples, err := q.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	out := promtext.Counts{}
	for _, s := range samples {
		key := make([]string, len(labels))
		for i, l := range labels {
			key[i] = s.Metric[l]
		}
		out[strings.Join(key, promtext.KeySep)] += s.Value
	}
	return out, nil
}

// apiserverRows turns apiserver_request_total deltas into report rows, per VMI of n.
func apiserverRows(delta promtext.Counts, n int) []report.Requests {
	var rows []report.Requests
	for _, k := range delta.Keys() {
		v := promtext.Split(k)
		resource := v[1]
		if v[2] != "" {
			resource += "/" + v[2]
		}
		rows = append(rows, report.Requests{Verb: v[0], Resource: resource, Count: delta[k], PerVMI: perVMI(delta[k], n)})
	}
	return rows
}

// clientRows turns kubevirt_rest_client_requests_total deltas into report rows.
func clientRows(delta promtext.Counts, n int) []report.Requests {
	var rows []report.Requests
	for _, k := range delta.Keys() {
		v := promtext.Split(k)
		rows = append(rows, report.Requests{Component: v[0], Verb: v[1], Resource: v[2], Count: delta[k], PerVMI: perVMI(delta[k], n)})
	}
	return rows
}

func perVMI(count float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return count / float64(n)
}

// componentRows combines CPU deltas and the RSS peaks of the samples.
func componentRows(cpu promtext.Counts, samples []report.Sample) []report.Component {
	peak := map[string]float64{}
	for _, s := range samples {
		for c, v := range s.RSS {
			peak[c] = max(peak[c], v)
		}
	}
	names := map[string]bool{}
	for c := range cpu {
		names[c] = true
	}
	for c := range peak {
		names[c] = true
	}
	var rows []report.Component
	for _, c := range sortedNames(names) {
		rows = append(rows, report.Component{Name: c, CPUSeconds: cpu[c], PeakRSS: peak[c]})
	}
	return rows
}

// queueRows returns the peak depth and p99 latency of every queue of the samples.
func queueRows(samples []report.Sample) []report.Queue {
	depth, p99, names := map[string]float64{}, map[string]float64{}, map[string]bool{}
	for _, s := range samples {
		for q, v := range s.QueueDepth {
			depth[q], names[q] = max(depth[q], v), true
		}
		for q, v := range s.QueueP99 {
			p99[q], names[q] = max(p99[q], v), true
		}
	}
	var rows []report.Queue
	for _, q := range sortedNames(names) {
		component, name, _ := strings.Cut(q, "/")
		rows = append(rows, report.Queue{Component: component, Name: name, PeakDepth: depth[q], PeakP99Sec: p99[q]})
	}
	return rows
}

func sortedNames(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
