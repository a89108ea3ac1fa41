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
	// spec is the preferred settings.
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
	// items holds the preferences of the list.
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
	// spec is the preferred settings.
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
	// items holds the cluster preferences of the list.
	// +required
	// +listType=set
	Items []VirtualMachineClusterPreference `json:"items"`
}

// VirtualMachinePreferenceSpec holds the settings a preference fills into VMs that leave them
// unset.
type VirtualMachinePreferenceSpec struct {
	// annotations are added to the VMI unless it already has the key.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// clock holds preferred clock settings.
	// +optional
	Clock *ClockPreferences `json:"clock,omitempty"`
	// cpu holds preferred CPU topology and features.
	// +optional
	CPU *CPUPreferences `json:"cpu,omitempty"`
	// devices holds preferred device settings.
	// +optional
	Devices *DevicePreferences `json:"devices,omitempty"`
	// features holds preferred hypervisor features.
	// +optional
	Features *FeaturePreferences `json:"features,omitempty"`
	// firmware holds preferred firmware settings.
	// +optional
	Firmware *FirmwarePreferences `json:"firmware,omitempty"`
	// machine holds the preferred machine type.
	// +optional
	Machine *MachinePreferences `json:"machine,omitempty"`
	// preferSpreadSocketToCoreRatio is the sockets-to-cores ratio of the spread topology; defaults to
	// 2.
	// +optional
	PreferSpreadSocketToCoreRatio int64 `json:"preferSpreadSocketToCoreRatio,omitempty"`
	// preferredArchitecture is the architecture used when the VM sets none.
	// +optional
	PreferredArchitecture string `json:"preferredArchitecture,omitempty"`
	// preferredLaunchSecurity is the confidential computing setting used when the VM sets none.
	// +optional
	PreferredLaunchSecurity *virtv1.LaunchSecurity `json:"preferredLaunchSecurity,omitempty"`
	// preferredSubdomain is the subdomain used when the VM sets none.
	// +optional
	PreferredSubdomain string `json:"preferredSubdomain,omitempty"`
	// preferredTerminationGracePeriodSeconds is the grace period, in seconds, used when the VM sets
	// none.
	// +optional
	PreferredTerminationGracePeriodSeconds *int64 `json:"preferredTerminationGracePeriodSeconds,omitempty"`
	// requirements are the least CPU, memory and the architecture a VM using this preference must
	// have; VMs that fall short are refused.
	// +optional
	Requirements *PreferenceRequirements `json:"requirements,omitempty"`
	// volumes holds preferred volume settings.
	// +optional
	Volumes *VolumePreferences `json:"volumes,omitempty"`
}

// CPUPreferences are preferred CPU settings.
type CPUPreferences struct {
	// preferredCPUFeatures are CPU features added unless the VM sets them.
	// +optional
	PreferredCPUFeatures []virtv1.CPUFeature `json:"preferredCPUFeatures,omitempty"`
	// preferredCPUTopology lays an instancetype's vCPUs out as sockets (default), cores, threads,
	// spread or any.
	// +optional
	PreferredCPUTopology *PreferredCPUTopology `json:"preferredCPUTopology,omitempty"`
	// spreadOptions tunes the spread topology.
	// +optional
	SpreadOptions *SpreadOptions `json:"spreadOptions,omitempty"`
}

// ClockPreferences are preferred clock settings.
type ClockPreferences struct {
	// preferredClockOffset is the clock offset used when the VM sets none.
	// +optional
	PreferredClockOffset *virtv1.ClockOffset `json:"preferredClockOffset,omitempty"`
	// preferredTimer is the timer set used when the VM sets none.
	// +optional
	PreferredTimer *virtv1.Timer `json:"preferredTimer,omitempty"`
}

// DevicePreferences are preferred device settings.
type DevicePreferences struct {
	// preferredAutoattachGraphicsDevice is the autoattachGraphicsDevice value used when the VM sets
	// none.
	// +optional
	PreferredAutoattachGraphicsDevice *bool `json:"preferredAutoattachGraphicsDevice,omitempty"`
	// preferredAutoattachInputDevice is the autoattachInputDevice value used when the VM sets none.
	// +optional
	PreferredAutoattachInputDevice *bool `json:"preferredAutoattachInputDevice,omitempty"`
	// preferredAutoattachMemBalloon is the autoattachMemBalloon value used when the VM sets none.
	// +optional
	PreferredAutoattachMemBalloon *bool `json:"preferredAutoattachMemBalloon,omitempty"`
	// preferredAutoattachPodInterface is the autoattachPodInterface value used when the VM sets none.
	// +optional
	PreferredAutoattachPodInterface *bool `json:"preferredAutoattachPodInterface,omitempty"`
	// preferredAutoattachSerialConsole is the autoattachSerialConsole value used when the VM sets
	// none.
	// +optional
	PreferredAutoattachSerialConsole *bool `json:"preferredAutoattachSerialConsole,omitempty"`
	// preferredBlockMultiQueue is the blockMultiQueue value used when the VM sets none.
	// +optional
	PreferredBlockMultiQueue *bool `json:"preferredBlockMultiQueue,omitempty"`
	// preferredCdromBus is the bus of CD-ROMs that set none.
	// +optional
	PreferredCdromBus string `json:"preferredCdromBus,omitempty"`
	// preferredDisableHotplug is the disableHotplug value used when the VM sets none.
	// +optional
	PreferredDisableHotplug *bool `json:"preferredDisableHotplug,omitempty"`
	// preferredDiskBlockSize is the block size of disks that set none.
	// +optional
	PreferredDiskBlockSize *virtv1.BlockSize `json:"preferredDiskBlockSize,omitempty"`
	// preferredDiskBus is the bus of disks that set none, e.g. virtio.
	// +optional
	PreferredDiskBus string `json:"preferredDiskBus,omitempty"`
	// preferredDiskCache is the cache mode of disks that set none.
	// +optional
	PreferredDiskCache string `json:"preferredDiskCache,omitempty"`
	// preferredDiskDedicatedIoThread gives virtio disks that do not say otherwise a dedicated
	// iothread.
	// +optional
	PreferredDiskDedicatedIOThread *bool `json:"preferredDiskDedicatedIoThread,omitempty"`
	// preferredDiskIO is the I/O mode of disks that set none.
	// +optional
	PreferredDiskIO string `json:"preferredDiskIO,omitempty"`
	// preferredInputBus is the bus of input devices that set none.
	// +optional
	PreferredInputBus string `json:"preferredInputBus,omitempty"`
	// preferredInputType is the type of input devices that set none.
	// +optional
	PreferredInputType string `json:"preferredInputType,omitempty"`
	// preferredInterfaceMasquerade gives interfaces without a binding the masquerade binding.
	// +optional
	PreferredInterfaceMasquerade *virtv1.InterfaceMasquerade `json:"preferredInterfaceMasquerade,omitempty"`
	// preferredInterfaceModel is the model of interfaces that set none.
	// +optional
	PreferredInterfaceModel string `json:"preferredInterfaceModel,omitempty"`
	// preferredLunBus is the bus of LUNs that set none.
	// +optional
	PreferredLUNBus string `json:"preferredLunBus,omitempty"`
	// preferredNetworkInterfaceMultiQueue is the networkInterfaceMultiqueue value used when the VM
	// sets none.
	// +optional
	PreferredNetworkInterfaceMultiQueue *bool `json:"preferredNetworkInterfaceMultiQueue,omitempty"`
	// preferredPanicDeviceModel is the model of panic devices that set none.
	// +optional
	PreferredPanicDeviceModel string `json:"preferredPanicDeviceModel,omitempty"`
	// preferredRng adds a random number generator unless the VM sets one.
	// +optional
	PreferredRNG *virtv1.Rng `json:"preferredRng,omitempty"`
	// preferredSoundModel is the model of sound devices that set none.
	// +optional
	PreferredSoundModel string `json:"preferredSoundModel,omitempty"`
	// preferredTPM adds a TPM unless the VM sets one.
	// +optional
	PreferredTPM *virtv1.TPMDevice `json:"preferredTPM,omitempty"`
	// preferredUseVirtioTransitional is the useVirtioTransitional value used when the VM sets none.
	// +optional
	PreferredUseVirtioTransitional *bool `json:"preferredUseVirtioTransitional,omitempty"`
	// preferredVideoType is the video device type used when the VM sets none.
	// +optional
	PreferredVideoType string `json:"preferredVideoType,omitempty"`
	// preferredVirtualGPUOptions are the vGPU options of GPUs that set none.
	// +optional
	PreferredVirtualGPUOptions *virtv1.VGPUOptions `json:"preferredVirtualGPUOptions,omitempty"`
}

// FeaturePreferences are preferred hypervisor feature settings.
type FeaturePreferences struct {
	// preferredAcpi is the ACPI setting used when the VM sets none.
	// +optional
	PreferredACPI *virtv1.FeatureState `json:"preferredAcpi,omitempty"`
	// preferredApic is the APIC setting used when the VM sets none.
	// +optional
	PreferredApic *virtv1.FeatureAPIC `json:"preferredApic,omitempty"`
	// preferredHyperv are the Hyper-V enlightenments used when the VM sets none.
	// +optional
	PreferredHyperv *virtv1.FeatureHyperv `json:"preferredHyperv,omitempty"`
	// preferredKvm is the KVM setting used when the VM sets none.
	// +optional
	PreferredKVM *virtv1.FeatureKVM `json:"preferredKvm,omitempty"`
	// preferredPvspinlock is the paravirtual spinlock setting used when the VM sets none.
	// +optional
	PreferredPvspinlock *virtv1.FeatureState `json:"preferredPvspinlock,omitempty"`
	// preferredSmm is the SMM setting used when the VM sets none.
	// +optional
	PreferredSMM *virtv1.FeatureState `json:"preferredSmm,omitempty"`
}

// FirmwarePreferences are preferred firmware settings.
type FirmwarePreferences struct {
	// preferredEfi is the EFI setting used when the VM chooses no bootloader.
	// +optional
	PreferredEFI *virtv1.EFI `json:"preferredEfi,omitempty"`
	// preferredUseBios boots with BIOS when the VM chooses no bootloader.
	// +optional
	PreferredUseBIOS *bool `json:"preferredUseBios,omitempty"`
	// preferredUseBiosSerial sends BIOS output to the serial console; needs preferredUseBios.
	// +optional
	PreferredUseBIOSSerial *bool `json:"preferredUseBiosSerial,omitempty"`
	// preferredUseEfi is deprecated: use preferredEfi.
	// +optional
	PreferredUseEFI *bool `json:"preferredUseEfi,omitempty"`
	// preferredUseSecureBoot enables secure boot with EFI; needs EFI and SMM.
	// +optional
	PreferredUseSecureBoot *bool `json:"preferredUseSecureBoot,omitempty"`
}

// MachinePreferences are preferred machine settings.
type MachinePreferences struct {
	// preferredMachineType is the machine type used when the VM sets none.
	// +optional
	PreferredMachineType string `json:"preferredMachineType,omitempty"`
}

// PreferenceRequirements are the least resources a VM needs to use a preference.
type PreferenceRequirements struct {
	// architecture is the architecture the VM must have.
	// +optional
	Architecture string `json:"architecture,omitempty"`
	// cpu is the least number of vCPUs the VM must have.
	// +optional
	CPU *CPUPreferenceRequirement `json:"cpu,omitempty"`
	// memory is the least guest memory the VM must have.
	// +optional
	Memory *MemoryPreferenceRequirement `json:"memory,omitempty"`
}

// VolumePreferences are preferred volume settings.
type VolumePreferences struct {
	// preferredStorageClassName is the storage class of dataVolumeTemplates that set none.
	// +optional
	PreferredStorageClassName string `json:"preferredStorageClassName,omitempty"`
}

// SpreadOptions tunes how the spread topology lays out vCPUs.
type SpreadOptions struct {
	// across is SocketsCores (default), SocketsCoresThreads or CoresThreads: the levels vCPUs are
	// spread over.
	// +optional
	Across string `json:"across,omitempty"`
	// ratio is the ratio of the spread between the levels; defaults to 2 (CoresThreads allows only 2).
	// +optional
	Ratio int64 `json:"ratio,omitempty"`
}

// CPUPreferenceRequirement is the least CPU a VM needs.
type CPUPreferenceRequirement struct {
	// guest is the least number of vCPUs.
	// +required
	Guest int64 `json:"guest"`
}

// MemoryPreferenceRequirement is the least memory a VM needs.
type MemoryPreferenceRequirement struct {
	// guest is the least guest memory.
	// +required
	Guest *resource.Quantity `json:"guest"`
}
