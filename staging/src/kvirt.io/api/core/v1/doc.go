// Package v1 holds the Go types of the kubevirt.io/v1 API group as kvirt serves it:
// VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceMigration,
// VirtualMachineInstanceReplicaSet, VirtualMachineInstancePreset and KubeVirt,
// plus the option bodies of the subresources.kubevirt.io/v1 API. The group's
// deprecated version v1alpha3 has the same schema and no Go types of its own.
// The JSON names, optionality and enum strings match upstream KubeVirt exactly
// so that existing manifests and clients work.
//
// This package holds plain types, constants and generated deep copies only: no
// logic, and no imports beyond k8s.io/api, k8s.io/apimachinery and sibling API
// packages.
//
// +k8s:deepcopy-gen=package
// +groupName=kubevirt.io
package v1
