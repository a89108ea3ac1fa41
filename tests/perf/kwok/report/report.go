package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"kvirt.io/kvirt/tests/perf/internal/stats"
)

// File names written into the output directory.
const (
	MarkdownFile = "kwok-report.md"
	JSONFile     = "kwok-report.json"
)

// Report is everything one run measured.
type Report struct {
	Kind      string    `json:"kind"`
	VMIs      int       `json:"vmis"`
	Namespace string    `json:"namespace"`
	Rate      float64   `json:"ratePerSecond"`
	Started   time.Time `json:"started"`
	// Running is how many VMIs were Running when the wait ended.
	Running int `json:"running"`
	// TimedOut says not all VMIs reached Running before the deadline.
	TimedOut bool `json:"timedOut"`
	// CreateSeconds is the time from the first create to the last create returned.
	CreateSeconds float64 `json:"createSeconds"`
	// AllRunningSeconds is the time from the first create to the last VMI observed
	// Running (to the deadline when TimedOut).
	AllRunningSeconds float64 `json:"allRunningSeconds"`
	// CreationToRunning summarizes each VMI's Running phase-transition timestamp
	// minus its creationTimestamp (both with 1 s resolution).
	CreationToRunning stats.Summary `json:"creationToRunningSeconds"`
	// ObservedCreationToRunning is the same from the driver's watch: when it first
	// saw each VMI Running minus its creationTimestamp (includes watch delay).
	ObservedCreationToRunning stats.Summary `json:"observedCreationToRunningSeconds"`
	// DeleteSeconds is the time from the first delete until no VMI and no pod of the
	// namespace was left; DeleteTimedOut says some were left at the deadline.
	DeleteSeconds  float64 `json:"deleteSeconds"`
	DeleteTimedOut bool    `json:"deleteTimedOut"`
	// PhaseCounts and Stuck (up to 20 names) describe the VMIs not Running at a timeout.
	PhaseCounts map[string]int `json:"phaseCounts,omitempty"`
	Stuck       []string       `json:"stuck,omitempty"`
	// APIServerRequests are apiserver_request_total increases over creation and
	// wait, by verb and resource (all clients, KWOK's Stages included).
	APIServerRequests []Requests `json:"apiserverRequests"`
	// DeleteAPIServerRequests are the apiserver_request_total increases over the
	// deletion.
	DeleteAPIServerRequests []Requests `json:"deleteApiserverRequests,omitempty"`
	// ClientRequests are kubevirt_rest_client_requests_total increases of kvirt's
	// components by component, verb and resource (empty without Prometheus).
	ClientRequests []Requests `json:"clientRequests,omitempty"`
	// Components are CPU seconds used and peak RSS, per component (Prometheus).
	Components []Component `json:"components,omitempty"`
	// Queues are the peak depth and peak p99 queue latency per workqueue (Prometheus).
	Queues []Queue `json:"queues,omitempty"`
	// Samples are the time series, one every sampling interval.
	Samples []Sample `json:"samples"`
	// Prometheus is the URL queried, empty when none was.
	Prometheus string   `json:"prometheus,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Requests counts requests of one component (empty for the apiserver's own
// counter), verb and resource ("virtualmachineinstances/status" for a subresource).
type Requests struct {
	Component string  `json:"component,omitempty"`
	Verb      string  `json:"verb"`
	Resource  string  `json:"resource"`
	Count     float64 `json:"count"`
	PerVMI    float64 `json:"perVMI"`
}

// Component is the resource use of one kvirt component over the run.
type Component struct {
	Name       string  `json:"name"`
	CPUSeconds float64 `json:"cpuSeconds"`
	PeakRSS    float64 `json:"peakRSSBytes"`
}

// Queue is one workqueue's peaks over the run.
type Queue struct {
	Component  string  `json:"component"`
	Name       string  `json:"name"`
	PeakDepth  float64 `json:"peakDepth"`
	PeakP99Sec float64 `json:"peakP99Seconds"`
}

// Sample is one point of the time series. Maps are keyed by component (RSS) or
// "component/queue" (QueueDepth, QueueP99); they are empty without Prometheus.
type Sample struct {
	// Seconds since the run started.
	Seconds    float64            `json:"t"`
	Phase      string             `json:"phase"`
	Running    int                `json:"running"`
	VMIs       int                `json:"vmis"`
	Pods       int                `json:"pods"`
	RSS        map[string]float64 `json:"rssBytes,omitempty"`
	QueueDepth map[string]float64 `json:"queueDepth,omitempty"`
	QueueP99   map[string]float64 `json:"queueP99Seconds,omitempty"`
}

// Summary is the report's first summary line: "all N Running after T s", or how
// many were Running when the wait timed out.
func (r *Report) Summary() string {
	if r.TimedOut {
		return fmt.Sprintf("only %d of %d Running after %.1f s (timed out)", r.Running, r.VMIs, r.AllRunningSeconds)
	}
	return fmt.Sprintf("all %d Running after %.1f s", r.VMIs, r.AllRunningSeconds)
}

// Write writes kwok-report.md, kwok-report.json and the plots into dir (created
// if missing) and returns the paths written.
func (r *Report) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	plots, err := WritePlots(r, dir)
	if err != nil {
		return nil, err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	jsonPath := filepath.Join(dir, JSONFile)
	if err := os.WriteFile(jsonPath, append(raw, '\n'), 0o644); err != nil {
		return nil, err
	}
	mdPath := filepath.Join(dir, MarkdownFile)
	if err := os.WriteFile(mdPath, []byte(r.Markdown(plots)), 0o644); err != nil {
		return nil, err
	}
	written := []string{mdPath, jsonPath}
	for _, p := range plots {
		written = append(written, filepath.Join(dir, p))
	}
	return written, nil
}
