package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"kvirt.io/kvirt/tests/perf/internal/stats"
)

// Markdown renders the report; plots are the PNG file names beside it.
func (r *Report) Markdown(plots []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# KWOK density: %d VMIs as %s\n\n", r.VMIs, r.Kind)
	fmt.Fprintf(&b, "%s\n\n", r.Summary())
	rate := "as fast as the API allows"
	if r.Rate > 0 {
		rate = fmt.Sprintf("%g/s", r.Rate)
	}
	fmt.Fprintf(&b, "Namespace %s, started %s, created %s in %.1f s.\n\n", r.Namespace, r.Started.UTC().Format("2006-01-02 15:04:05Z"), rate, r.CreateSeconds)
	if r.TimedOut {
		r.writeStuck(&b)
	}
	s := r.CreationToRunning
	b.WriteString("## Creation → Running\n\n")
	b.WriteString("From each VMI's `status.phaseTransitionTimestamps` (Running) minus its creationTimestamp; both have 1 s resolution, so each value is exact to ±1 s.\n\n")
	b.WriteString("The watch row is when the driver's watch first saw each VMI Running (includes watch delay).\n\n")
	b.WriteString("| source | VMIs | min | p50 | p95 | p99 | max | mean |\n|---|---|---|---|---|---|---|---|\n")
	for _, row := range []struct {
		name string
		s    stats.Summary
	}{{"phaseTransitionTimestamps", s}, {"watch", r.ObservedCreationToRunning}} {
		fmt.Fprintf(&b, "| %s | %d | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s |\n", row.name,
			row.s.Count, row.s.Min, row.s.P50, row.s.P95, row.s.P99, row.s.Max, row.s.Mean)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Time to all Running: %.1f s. Deletion: %s.\n\n", r.AllRunningSeconds, r.deletion())
	mean, peak := r.Throughput()
	fmt.Fprintf(&b, "Throughput: %.1f VMIs/s to Running on average, %.1f VMIs/s at peak (between two samples).\n\n", mean, peak)
	r.writeChecks(&b)
	writeRequests(&b, "API requests per VMI: apiserver_request_total (all clients)", r.APIServerRequests, false)
	writeRequests(&b, "API requests per VMI while deleting: apiserver_request_total", r.DeleteAPIServerRequests, false)
	if r.Prometheus == "" {
		b.WriteString("No Prometheus given (-prometheus): no client-side requests, CPU, RSS or workqueue figures.\n\n")
	} else {
		writeRequests(&b, "API requests per VMI: kubevirt_rest_client_requests_total (kvirt components)", r.ClientRequests, true)
		r.writeComponents(&b)
	}
	if len(plots) > 0 {
		b.WriteString("## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n", strings.TrimSuffix(p, ".png"), p)
		}
		b.WriteString("\n")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	return b.String()
}

func (r *Report) deletion() string {
	if r.DeleteTimedOut {
		return fmt.Sprintf("VMIs or pods still left after %.1f s (timed out)", r.DeleteSeconds)
	}
	return fmt.Sprintf("all VMIs and pods gone after %.1f s", r.DeleteSeconds)
}

func (r *Report) writeStuck(b *strings.Builder) {
	b.WriteString("## Not Running at the deadline\n\n| phase | VMIs |\n|---|---|\n")
	for _, p := range sortedKeys(r.PhaseCounts) {
		fmt.Fprintf(b, "| %s | %d |\n", p, r.PhaseCounts[p])
	}
	fmt.Fprintf(b, "\nStuck (up to 20): %s\n\n", strings.Join(r.Stuck, ", "))
}

func (r *Report) writeChecks(b *strings.Builder) {
	b.WriteString("## Upstream's thresholds (informational)\n\n| check | measured | upstream limit | source | pass |\n|---|---|---|---|---|\n")
	for _, c := range r.Checks() {
		measured := fmt.Sprintf("%.2f %s", c.Measured, c.Unit)
		if c.Measured < 0 {
			measured = "n/a"
		}
		verdict := "fail"
		switch {
		case c.NA:
			verdict = "n/a"
		case c.Pass:
			verdict = "pass"
		}
		fmt.Fprintf(b, "| %s | %s | %g %s | %s | %s |\n", c.Name, measured, c.Limit, c.Unit, orDash(c.Source), verdict)
	}
	b.WriteString("\n")
}

func writeRequests(b *strings.Builder, title string, reqs []Requests, component bool) {
	fmt.Fprintf(b, "## %s\n\n", title)
	if len(reqs) == 0 {
		b.WriteString("None recorded.\n\n")
		return
	}
	if component {
		b.WriteString("| component | verb | resource | requests | per VMI |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| verb | resource | requests | per VMI |\n|---|---|---|---|\n")
	}
	for _, q := range reqs {
		if component {
			fmt.Fprintf(b, "| %s ", q.Component)
		}
		fmt.Fprintf(b, "| %s | %s | %.0f | %.3f |\n", q.Verb, q.Resource, q.Count, q.PerVMI)
	}
	b.WriteString("\n")
}

func (r *Report) writeComponents(b *strings.Builder) {
	b.WriteString("## Components\n\n| component | CPU seconds (all pods) | peak RSS (largest pod) |\n|---|---|---|\n")
	for _, c := range r.Components {
		fmt.Fprintf(b, "| %s | %.1f | %.1f MiB |\n", c.Name, c.CPUSeconds, c.PeakRSS/(1<<20))
	}
	b.WriteString("\n## Workqueues\n\n| component | queue | peak depth | peak p99 queue latency |\n|---|---|---|---|\n")
	for _, q := range r.Queues {
		fmt.Fprintf(b, "| %s | %s | %.0f | %.3f s |\n", q.Component, q.Name, q.PeakDepth, q.PeakP99Sec)
	}
	b.WriteString("\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Throughput returns the VMIs Running per second over the whole wait, and the
// largest increase of Running per second between two consecutive samples.
func (r *Report) Throughput() (mean, peak float64) {
	if r.AllRunningSeconds > 0 {
		mean = float64(r.Running) / r.AllRunningSeconds
	}
	for i := 1; i < len(r.Samples); i++ {
		a, b := r.Samples[i-1], r.Samples[i]
		if dt := b.Seconds - a.Seconds; dt > 0 && b.Phase == "create" {
			peak = max(peak, float64(b.Running-a.Running)/dt)
		}
	}
	return mean, peak
}
