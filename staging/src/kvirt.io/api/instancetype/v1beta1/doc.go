// Package v1beta1 holds the Go types of instancetype.kubevirt.io/v1beta1:
// VirtualMachineInstancetype and VirtualMachinePreference, namespaced and
// cluster-scoped. Plain types and generated deep copies only; the expansion into a
// VirtualMachineInstance lives in kvirt.io/kvirt/pkg/instancetype.
//
// +k8s:deepcopy-gen=package
// +groupName=instancetype.kubevirt.io
package v1beta1
