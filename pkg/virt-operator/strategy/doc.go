// Package strategy is virt-operator's install strategy: the pure function from one
// KubeVirt resource and the operator's configuration to every object the install
// consists of. It reads nothing from the cluster and must not import client code.
package strategy
