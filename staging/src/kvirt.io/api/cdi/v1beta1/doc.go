// Package v1beta1 holds the subset of the CDI (cdi.kubevirt.io/v1beta1) DataVolume
// types that a VirtualMachine embeds in spec.dataVolumeTemplates, so kvirt can carry
// them on the wire without depending on the CDI project. Types only; kvirt serves no
// CDI kind.
//
// +k8s:deepcopy-gen=package
package v1beta1
