// Package e2e holds the end-to-end tier: kvirt installed by its operator on the
// local single-node cluster (hack/cluster-up.sh + hack/cluster-sync.sh), driven
// as a user would, with kubectl, the typed clients and virtctl's console. Run it
// with `make functest`; `make perf-local` adds the creation-latency figures.
package e2e
