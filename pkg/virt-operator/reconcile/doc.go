// Package reconcile is virt-operator's controller: it watches KubeVirt resources and
// the workloads it installed, applies the install strategy, issues and rotates the
// certificates, writes the KubeVirt status and uninstalls on deletion. Decisions live
// in the strategy, status and certs packages; this package fetches and writes.
package reconcile
