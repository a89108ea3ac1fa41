// Package virtoperator runs virt-operator, which installs and reports the
// add-on from one KubeVirt resource. It must not import other components' packages.
package virtoperator
