// Command kwok is `make perf-kwok`'s driver: against a cluster whose fake KWOK nodes
// and Stages stand in for kubelets and virt-handler, it creates N VMIs (as VMIs, VMs,
// VMs with an instancetype, or one VMIRS), waits until all are Running, deletes them
// and writes <out>/kwok-report.md, kwok-report.json and PNG plots. It exits non-zero
// only when VMIs get stuck (or on errors), never on timings. Run it from the
// repository root: go run ./tests/perf/kwok -h. The work is in ./driver and ./report.
package main
