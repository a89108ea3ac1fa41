// Package prometheus runs the loopback Prometheus of hack/prometheus.sh for tests
// (Start, Stop) and reads it through a small client of its HTTP API: instant
// queries, scrape targets, rule groups and alerts. Test helpers only.
package prometheus
