// Package driver runs one KWOK density measurement against a cluster: it creates N
// VMIs (directly, through VMs, VMs with an instancetype, or one VMIRS), watches until
// all are Running, samples progress and Prometheus every few seconds, reads the
// apiserver's request counters, deletes everything in batches and returns the
// figures as a report.Report. It talks to the cluster only through the clients in
// its Config and must not write files (tests/perf/kwok does).
package driver
