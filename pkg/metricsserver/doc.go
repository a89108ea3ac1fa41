// Package metricsserver serves a component's /metrics and /healthz over plain
// HTTP or TLS until its context ends. It must not import component packages.
package metricsserver
