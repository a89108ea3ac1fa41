// Package v1beta1 holds the Go types of cdi.kubevirt.io/v1beta1 that kvirt uses
// on the wire without depending on the CDI project: the DataVolumeSpec a
// VirtualMachine embeds in spec.dataVolumeTemplates, and the DataVolume and
// DataSource kinds that kvirt's own DataVolume controller serves when CDI is
// not installed. Field names, phases and condition types match CDI's published
// API. Plain types and generated deep copies only; the controller lives in
// kvirt.io/kvirt/pkg/virt-controller/datavolume.
//
// +k8s:deepcopy-gen=package
// +groupName=cdi.kubevirt.io
package v1beta1
