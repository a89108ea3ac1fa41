// Package controlplane starts and stops a real etcd + kube-apiserver pair for tests.
//
// It is the single implementation of the integration-test control plane: Go tests use
// StartForTest or RunMain, and hack/control-plane.sh drives the same code through the
// kvirt-control-plane command (Up, Down, GetStatus). It generates every certificate in
// Go, runs the binaries built by hack/build-control-plane-bins.sh at the versions
// pinned in hack/lib/versions.sh, waits for /readyz, writes an admin kubeconfig and
// installs the project's CRDs. It only talks to loopback addresses.
//
// It must not import kvirt packages outside tests/framework: product code never
// depends on it.
package controlplane
