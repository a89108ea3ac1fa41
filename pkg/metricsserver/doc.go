// Package metricsserver serves a component's /metrics and /healthz over plain
// HTTP until its context ends.
package metricsserver
