package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/perf/internal/stats"
)

func sample() *Report {
	r := &Report{
		Kind: "vmi", VMIs: 8000, Namespace: "kwok-perf", Started: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		Running: 8000, CreateSeconds: 100, AllRunningSeconds: 312.44, DeleteSeconds: 55.5,
		CreationToRunning:         stats.Summary{Count: 8000, Min: 1, P50: 20, P95: 58, P99: 70, Max: 80, Mean: 25},
		ObservedCreationToRunning: stats.Summary{Count: 7990, Min: 1.5, P50: 21, P95: 59, P99: 71, Max: 81, Mean: 26},
		APIServerRequests: []Requests{
			{Verb: "POST", Resource: "pods", Count: 8000, PerVMI: 1},
			{Verb: "PATCH", Resource: "virtualmachineinstances/status", Count: 24000, PerVMI: 3},
			{Verb: "PUT", Resource: "virtualmachineinstances", Count: 8000, PerVMI: 1},
		},
		Samples: []Sample{{Seconds: 0, Phase: "create"}, {Seconds: 5, Phase: "create", Running: 10, VMIs: 20, Pods: 20}},
	}
	return r
}

func TestSummary(t *testing.T) {
	r := sample()
	if got, want := r.Summary(), "all 8000 Running after 312.4 s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	r.TimedOut, r.Running, r.AllRunningSeconds = true, 7990, 1800
	if got, want := r.Summary(), "only 7990 of 8000 Running after 1800.0 s (timed out)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

func TestMarkdown(t *testing.T) {
	md := sample().Markdown([]string{PlotRunning})
	lines := strings.Split(md, "\n")
	if lines[0] != "# KWOK density: 8000 VMIs as vmi" || lines[2] != "all 8000 Running after 312.4 s" {
		t.Errorf("head of report:\n%s", strings.Join(lines[:4], "\n"))
	}
	for _, want := range []string{
		"| phaseTransitionTimestamps | 8000 | 1.0 s | 20.0 s | 58.0 s | 70.0 s | 80.0 s | 25.0 s |",
		"| watch | 7990 | 1.5 s | 21.0 s | 59.0 s | 71.0 s | 81.0 s | 26.0 s |",
		"| creation→Running p50 | 20.00 s | 45 s | - | pass |",
		"| creation→Running p95 | 58.00 s | 60 s | - | pass |",
		"| PATCH vmi / pod creates | 3.00 × | 2 × | apiserver | fail |",
		"## API requests per VMI while deleting",
		"| UPDATE vmi / pod creates | 1.00 × | 10 × | apiserver | pass |",
		"| all Running (limit set for 8000 VMIs) | 312.44 s | 900 s | - | pass |",
		"| PATCH | virtualmachineinstances/status | 24000 | 3.000 |",
		"all VMIs and pods gone after 55.5 s",
		"Throughput: 25.6 VMIs/s to Running on average, 2.0 VMIs/s at peak (between two samples).",
		"No Prometheus given",
		"![kwok-running](kwok-running.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownTimedOut(t *testing.T) {
	r := sample()
	r.TimedOut, r.Running = true, 7998
	r.PhaseCounts = map[string]int{"Running": 7998, "Scheduled": 2}
	r.Stuck = []string{"kwok-perf-00001", "kwok-perf-00002"}
	md := r.Markdown(nil)
	for _, want := range []string{"| Scheduled | 2 |", "Stuck (up to 20): kwok-perf-00001, kwok-perf-00002",
		"| all Running (limit set for 8000 VMIs) | n/a | 900 s | - | fail |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestChecksPreferClientsThenApiserver(t *testing.T) {
	r := sample()
	r.ClientRequests = []Requests{
		{Component: "virt-controller", Verb: "create", Resource: "pods", Count: 8000},
		{Component: "virt-controller", Verb: "patch", Resource: "virtualmachineinstances", Count: 8000},
	}
	var sources []string
	for _, c := range r.Checks() {
		if strings.HasPrefix(c.Name, "PATCH") {
			sources = append(sources, c.Source)
			if c.Source == "kvirt clients" && (c.Measured != 1 || !c.Pass) {
				t.Errorf("client PATCH check = %+v", c)
			}
		}
	}
	if strings.Join(sources, ",") != "kvirt clients,apiserver" {
		t.Errorf("PATCH check sources = %v", sources)
	}
}

func TestWrite(t *testing.T) {
	r := sample()
	r.Prometheus = "http://127.0.0.1:19090"
	r.Samples[1].RSS = map[string]float64{"virt-controller": 100 << 20}
	r.Samples[1].QueueDepth = map[string]float64{"virt-controller/vmi": 7}
	r.Samples[1].QueueP99 = map[string]float64{"virt-controller/vmi": 0.5}
	dir := filepath.Join(t.TempDir(), "perf")
	written, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 6 {
		t.Errorf("written = %v, want md, json and 4 plots", written)
	}
	for _, p := range []string{PlotRunning, PlotQueueDepth, PlotQueueP99, PlotRSS} {
		raw, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", p)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary() != r.Summary() || back.Samples[1].QueueDepth["virt-controller/vmi"] != 7 {
		t.Errorf("json round trip = %+v", back)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "![kwok-rss](kwok-rss.png)") {
		t.Errorf("markdown does not embed the RSS plot:\n%s", md)
	}
}

func TestWritePlotsWithoutPrometheus(t *testing.T) {
	got, err := WritePlots(sample(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != PlotRunning {
		t.Errorf("plots = %v, want only %s", got, PlotRunning)
	}
}

func TestChecksWithoutPodCreates(t *testing.T) {
	r := sample()
	r.APIServerRequests = []Requests{{Verb: "PATCH", Resource: "virtualmachineinstances", Count: 20}}
	md := r.Markdown(nil)
	if !strings.Contains(md, "| PATCH vmi / pod creates | n/a | 2 × | apiserver | n/a |") {
		t.Errorf("ratio without pod creates is not n/a:\n%s", md)
	}
}
