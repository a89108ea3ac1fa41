package v1beta1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// VirtualMachinePreference is a namespaced set of preferred device, firmware and topology
// settings that fill in what a VirtualMachine leaves unset.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=vmpref;vmprefs;vmp;vmps,categories=all
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachinePreference struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachinePreferenceSpec `json:"spec"`
}

// VirtualMachinePreferenceList is a list of VirtualMachinePreferences.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachinePreferenceList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	// +listType=set
	Items []VirtualMachinePreference `json:"items"`
}

// VirtualMachineClusterPreference is the cluster-scoped VirtualMachinePreference.
//
// +genclient
// +genclient:nonNamespaced
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:scope=Cluster,shortName=vmcp;vmcps
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineClusterPreference struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachinePreferenceSpec `json:"spec"`
}

// VirtualMachineClusterPreferenceList is a list of VirtualMachineClusterPreferences.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineClusterPreferenceList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	// +listType=set
	Items []VirtualMachineClusterPreference `json:"items"`
}

// VirtualMachinePreferenceSpec is the type of VirtualMachineClusterPreference.spec.
type VirtualMachinePreferenceSpec struct {
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// +optional
	Clock *ClockPreferences `json:"clock,omitempty"`
	// +optional
	CPU *CPUPreferences `json:"cpu,omitempty"`
	// +optional
	Devices *DevicePreferences `json:"devices,omitempty"`
	// +optional
	Features *FeaturePreferences `json:"features,omitempty"`
	// +optional
	Firmware *FirmwarePreferences `json:"firmware,omitempty"`
	// +optional
	Machine *MachinePreferences `json:"machine,omitempty"`
	// +optional
	PreferSpreadSocketToCoreRatio int64 `json:"preferSpreadSocketToCoreRatio,omitempty"`
	// +optional
	PreferredArchitecture string `json:"preferredArchitecture,omitempty"`
	// +optional
	PreferredLaunchSecurity *virtv1.LaunchSecurity `json:"preferredLaunchSecurity,omitempty"`
	// +optional
	PreferredSubdomain string `json:"preferredSubdomain,omitempty"`
	// +optional
	PreferredTerminationGracePeriodSeconds *int64 `json:"preferredTerminationGracePeriodSeconds,omitempty"`
	// +optional
	Requirements *PreferenceRequirements `json:"requirements,omitempty"`
	// +optional
	Volumes *VolumePreferences `json:"volumes,omitempty"`
}

// CPUPreferences is the type of VirtualMachinePreferenceSpec.cpu.
type CPUPreferences struct {
	// +optional
	PreferredCPUFeatures []virtv1.CPUFeature `json:"preferredCPUFeatures,omitempty"`
	// +optional
	PreferredCPUTopology *PreferredCPUTopology `json:"preferredCPUTopology,omitempty"`
	// +optional
	SpreadOptions *SpreadOptions `json:"spreadOptions,omitempty"`
}

// ClockPreferences is the type of VirtualMachinePreferenceSpec.clock.
type ClockPreferences struct {
	// +optional
	PreferredClockOffset *virtv1.ClockOffset `json:"preferredClockOffset,omitempty"`
	// +optional
	PreferredTimer *virtv1.Timer `json:"preferredTimer,omitempty"`
}

// DevicePreferences is the type of VirtualMachinePreferenceSpec.devices.
type DevicePreferences struct {
	// +optional
	PreferredAutoattachGraphicsDevice *bool `json:"preferredAutoattachGraphicsDevice,omitempty"`
	// +optional
	PreferredAutoattachInputDevice *bool `json:"preferredAutoattachInputDevice,omitempty"`
	// +optional
	PreferredAutoattachMemBalloon *bool `json:"preferredAutoattachMemBalloon,omitempty"`
	// +optional
	PreferredAutoattachPodInterface *bool `json:"preferredAutoattachPodInterface,omitempty"`
	// +optional
	PreferredAutoattachSerialConsole *bool `json:"preferredAutoattachSerialConsole,omitempty"`
	// +optional
	PreferredBlockMultiQueue *bool `json:"preferredBlockMultiQueue,omitempty"`
	// +optional
	PreferredCdromBus string `json:"preferredCdromBus,omitempty"`
	// +optional
	PreferredDisableHotplug *bool `json:"preferredDisableHotplug,omitempty"`
	// +optional
	PreferredDiskBlockSize *virtv1.BlockSize `json:"preferredDiskBlockSize,omitempty"`
	// +optional
	PreferredDiskBus string `json:"preferredDiskBus,omitempty"`
	// +optional
	PreferredDiskCache string `json:"preferredDiskCache,omitempty"`
	// +optional
	PreferredDiskDedicatedIOThread *bool `json:"preferredDiskDedicatedIoThread,omitempty"`
	// +optional
	PreferredDiskIO string `json:"preferredDiskIO,omitempty"`
	// +optional
	PreferredInputBus string `json:"preferredInputBus,omitempty"`
	// +optional
	PreferredInputType string `json:"preferredInputType,omitempty"`
	// +optional
	PreferredInterfaceMasquerade *virtv1.InterfaceMasquerade `json:"preferredInterfaceMasquerade,omitempty"`
	// +optional
	PreferredInterfaceModel string `json:"preferredInterfaceModel,omitempty"`
	// +optional
	PreferredLUNBus string `json:"preferredLunBus,omitempty"`
	// +optional
	PreferredNetworkInterfaceMultiQueue *bool `json:"preferredNetworkInterfaceMultiQueue,omitempty"`
	// +optional
	PreferredPanicDeviceModel string `json:"preferredPanicDeviceModel,omitempty"`
	// +optional
	PreferredRNG *virtv1.Rng `json:"preferredRng,omitempty"`
	// +optional
	PreferredSoundModel string `json:"preferredSoundModel,omitempty"`
	// +optional
	PreferredTPM *virtv1.TPMDevice `json:"preferredTPM,omitempty"`
	// +optional
	PreferredUseVirtioTransitional *bool `json:"preferredUseVirtioTransitional,omitempty"`
	// +optional
	PreferredVideoType string `json:"preferredVideoType,omitempty"`
	// +optional
	PreferredVirtualGPUOptions *virtv1.VGPUOptions `json:"preferredVirtualGPUOptions,omitempty"`
}

// FeaturePreferences is the type of VirtualMachinePreferenceSpec.features.
type FeaturePreferences struct {
	// +optional
	PreferredACPI *virtv1.FeatureState `json:"preferredAcpi,omitempty"`
	// +optional
	PreferredApic *virtv1.FeatureAPIC `json:"preferredApic,omitempty"`
	// +optional
	PreferredHyperv *virtv1.FeatureHyperv `json:"preferredHyperv,omitempty"`
	// +optional
	PreferredKVM *virtv1.FeatureKVM `json:"preferredKvm,omitempty"`
	// +optional
	PreferredPvspinlock *virtv1.FeatureState `json:"preferredPvspinlock,omitempty"`
	// +optional
	PreferredSMM *virtv1.FeatureState `json:"preferredSmm,omitempty"`
}

// FirmwarePreferences is the type of VirtualMachinePreferenceSpec.firmware.
type FirmwarePreferences struct {
	// +optional
	PreferredEFI *virtv1.EFI `json:"preferredEfi,omitempty"`
	// +optional
	PreferredUseBIOS *bool `json:"preferredUseBios,omitempty"`
	// +optional
	PreferredUseBIOSSerial *bool `json:"preferredUseBiosSerial,omitempty"`
	// +optional
	PreferredUseEFI *bool `json:"preferredUseEfi,omitempty"`
	// +optional
	PreferredUseSecureBoot *bool `json:"preferredUseSecureBoot,omitempty"`
}

// MachinePreferences is the type of VirtualMachinePreferenceSpec.machine.
type MachinePreferences struct {
	// +optional
	PreferredMachineType string `json:"preferredMachineType,omitempty"`
}

// PreferenceRequirements is the type of VirtualMachinePreferenceSpec.requirements.
type PreferenceRequirements struct {
	// +optional
	Architecture string `json:"architecture,omitempty"`
	// +optional
	CPU *CPUPreferenceRequirement `json:"cpu,omitempty"`
	// +optional
	Memory *MemoryPreferenceRequirement `json:"memory,omitempty"`
}

// VolumePreferences is the type of VirtualMachinePreferenceSpec.volumes.
type VolumePreferences struct {
	// +optional
	PreferredStorageClassName string `json:"preferredStorageClassName,omitempty"`
}

// SpreadOptions is the type of CPUPreferences.spreadOptions.
type SpreadOptions struct {
	// +optional
	Across string `json:"across,omitempty"`
	// +optional
	Ratio int64 `json:"ratio,omitempty"`
}

// CPUPreferenceRequirement is the type of PreferenceRequirements.cpu.
type CPUPreferenceRequirement struct {
	// +required
	Guest int64 `json:"guest"`
}

// MemoryPreferenceRequirement is the type of PreferenceRequirements.memory.
type MemoryPreferenceRequirement struct {
	// +required
	Guest *resource.Quantity `json:"guest"`
}
