package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstancePreset holds domain settings that the VMI mutating
// webhook merges into every new VirtualMachineInstance of its namespace whose
// labels its selector matches. Deprecated upstream in favour of instancetypes
// and preferences, but still served and applied there, so kvirt does the same.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:deprecatedversion:warning="kubevirt.io/v1 VirtualMachineInstancePreset is deprecated; use instancetypes and preferences instead"
// +kubebuilder:resource:shortName=vmipreset;vmipresets,categories=all
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstancePreset struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec says which VMIs the preset applies to and what it gives them.
	// +optional
	Spec VirtualMachineInstancePresetSpec `json:"spec,omitempty"`
}

// VirtualMachineInstancePresetList is a list of VirtualMachineInstancePresets.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstancePresetList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the presets of the list.
	// +required
	Items []VirtualMachineInstancePreset `json:"items"`
}

// VirtualMachineInstancePresetSpec says which VMIs a preset applies to and which
// domain settings it gives them when they are created.
type VirtualMachineInstancePresetSpec struct {
	// Selector picks the VMIs, by their labels, that the preset applies to; an
	// empty selector picks every VMI of the namespace.
	// +required
	Selector metav1.LabelSelector `json:"selector"`
	// Domain holds the settings merged into a matching VMI's spec.domain. Only
	// resources.requests, cpu, firmware, clock, features, devices.watchdog and
	// ioThreadsPolicy are merged, each only where the VMI leaves it unset.
	// +optional
	Domain *DomainSpec `json:"domain,omitempty"`
}
