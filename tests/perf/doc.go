// Package perf is the performance tier: commands that drive a running cluster
// (tests/perf/kwok) and the small packages they share under internal/. Nothing here
// runs in `go test ./...` against a cluster; the unit tests beside the code are pure.
package perf
