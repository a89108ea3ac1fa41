// Package integration holds the integration tier: tests against a real etcd and
// kube-apiserver (started by tests/framework/controlplane) with kvirt's CRDs
// installed. It has no non-test code besides this file.
package integration
