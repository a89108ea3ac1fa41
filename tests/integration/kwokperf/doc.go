// Package kwokperf runs the KWOK density driver (tests/perf/kwok/driver) against a
// real etcd and kube-apiserver with the CRDs, the test itself playing KWOK's Stage
// that moves VMIs to Running, and checks the report's summary and counts.
package kwokperf
