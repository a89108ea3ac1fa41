package report

import (
	"fmt"
	"strings"
)

// Upstream's published limits for its KWOK density test (informational here: a
// run never fails on them).
const (
	UpstreamP50Seconds       = 45
	UpstreamP95Seconds       = 60
	UpstreamPatchPerPod      = 2
	UpstreamUpdatePerPod     = 10
	UpstreamAllRunningSecond = 15 * 60
	UpstreamAllRunningVMIs   = 8000
)

// Check is one row of the thresholds table.
type Check struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Limit    float64 `json:"limit"`
	Unit     string  `json:"unit"`
	Pass     bool    `json:"pass"`
	// NA says there was nothing to measure (no pod creates to compare with).
	NA     bool   `json:"na,omitempty"`
	Source string `json:"source,omitempty"`
}

// Checks compares the report with upstream's limits. Request ratios come from the
// kvirt clients' own counters when Prometheus was there and from the apiserver's
// counter always (which also counts KWOK's Stages playing virt-handler).
func (r *Report) Checks() []Check {
	checks := []Check{
		{Name: "creation→Running p50", Measured: r.CreationToRunning.P50, Limit: UpstreamP50Seconds, Unit: "s"},
		{Name: "creation→Running p95", Measured: r.CreationToRunning.P95, Limit: UpstreamP95Seconds, Unit: "s"},
	}
	sources := []struct {
		name string
		reqs []Requests
	}{{"kvirt clients", r.ClientRequests}, {"apiserver", r.APIServerRequests}}
	for _, src := range sources {
		if len(src.reqs) == 0 {
			continue
		}
		pods := sum(src.reqs, "create", "pods")
		checks = append(checks,
			Check{Name: "PATCH vmi / pod creates", Measured: ratio(sum(src.reqs, "patch", "virtualmachineinstances"), pods),
				Limit: UpstreamPatchPerPod, Unit: "×", Source: src.name},
			Check{Name: "UPDATE vmi / pod creates", Measured: ratio(sum(src.reqs, "update", "virtualmachineinstances"), pods),
				Limit: UpstreamUpdatePerPod, Unit: "×", Source: src.name})
	}
	all := Check{Name: fmt.Sprintf("all Running (limit set for %d VMIs)", UpstreamAllRunningVMIs),
		Measured: r.AllRunningSeconds, Limit: UpstreamAllRunningSecond, Unit: "s"}
	if r.TimedOut {
		all.Measured = -1
	}
	checks = append(checks, all)
	for i := range checks {
		checks[i].Pass = checks[i].Measured >= 0 && checks[i].Measured <= checks[i].Limit
		checks[i].NA = checks[i].Measured < 0 && checks[i].Unit == "×"
	}
	return checks
}

// NormalizeVerb maps the apiserver's verbs (POST, PUT, ...) to the clients'
// (create, update, ...), so both counters compare.
func NormalizeVerb(verb string) string {
	switch strings.ToUpper(verb) {
	case "POST":
		return "create"
	case "PUT":
		return "update"
	}
	return strings.ToLower(verb)
}

// sum adds the requests of verb on resource and its subresources.
func sum(reqs []Requests, verb, resource string) float64 {
	total := 0.0
	for _, q := range reqs {
		if NormalizeVerb(q.Verb) == verb && (q.Resource == resource || strings.HasPrefix(q.Resource, resource+"/")) {
			total += q.Count
		}
	}
	return total
}

func ratio(a, b float64) float64 {
	if b == 0 {
		if a == 0 {
			return 0
		}
		return -1
	}
	return a / b
}
