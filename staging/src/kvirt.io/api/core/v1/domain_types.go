package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// DomainSpec is the type of VirtualMachineInstanceSpec.domain.
type DomainSpec struct {
	// +optional
	Chassis *Chassis `json:"chassis,omitempty"`
	// +optional
	Clock *Clock `json:"clock,omitempty"`
	// +optional
	CPU *CPU `json:"cpu,omitempty"`
	// +required
	Devices Devices `json:"devices"`
	// +optional
	Features *Features `json:"features,omitempty"`
	// +optional
	Firmware *Firmware `json:"firmware,omitempty"`
	// +optional
	IOThreads *DiskIOThreads `json:"ioThreads,omitempty"`
	// +optional
	IOThreadsPolicy string `json:"ioThreadsPolicy,omitempty"`
	// +optional
	LaunchSecurity *LaunchSecurity `json:"launchSecurity,omitempty"`
	// +optional
	Machine *Machine `json:"machine,omitempty"`
	// +optional
	Memory *Memory `json:"memory,omitempty"`
	// +optional
	RebootPolicy string `json:"rebootPolicy,omitempty"`
	// +optional
	Resources ResourceRequirements `json:"resources,omitempty"`
}

// ClockOffset is the type of ClockPreferences.preferredClockOffset.
type ClockOffset struct {
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// +optional
	Utc *ClockOffsetUTC `json:"utc,omitempty"`
}

// CPU is the type of DomainSpec.cpu.
type CPU struct {
	// +optional
	Cores int64 `json:"cores,omitempty"`
	// +optional
	DedicatedCPUPlacement *bool `json:"dedicatedCpuPlacement,omitempty"`
	// +optional
	Features []CPUFeature `json:"features,omitempty"`
	// +optional
	IsolateEmulatorThread *bool `json:"isolateEmulatorThread,omitempty"`
	// +optional
	MaxSockets int64 `json:"maxSockets,omitempty"`
	// +optional
	Model string `json:"model,omitempty"`
	// +optional
	NUMA *NUMA `json:"numa,omitempty"`
	// +optional
	Realtime *Realtime `json:"realtime,omitempty"`
	// +optional
	Sockets int64 `json:"sockets,omitempty"`
	// +optional
	Threads int64 `json:"threads,omitempty"`
}

// Chassis is the type of DomainSpec.chassis.
type Chassis struct {
	// +optional
	Asset string `json:"asset,omitempty"`
	// +optional
	Manufacturer string `json:"manufacturer,omitempty"`
	// +optional
	Serial string `json:"serial,omitempty"`
	// +optional
	Sku string `json:"sku,omitempty"`
	// +optional
	Version string `json:"version,omitempty"`
}

// Clock is the type of DomainSpec.clock.
type Clock struct {
	// +optional
	Timer *Timer `json:"timer,omitempty"`
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// +optional
	Utc *ClockOffsetUTC `json:"utc,omitempty"`
}

// DiskIOThreads is the type of DomainSpec.ioThreads.
type DiskIOThreads struct {
	// +optional
	SupplementalPoolThreadCount int64 `json:"supplementalPoolThreadCount,omitempty"`
}

// Features is the type of DomainSpec.features.
type Features struct {
	// +optional
	ACPI FeatureState `json:"acpi,omitempty"`
	// +optional
	Apic *FeatureAPIC `json:"apic,omitempty"`
	// +optional
	Hyperv *FeatureHyperv `json:"hyperv,omitempty"`
	// +optional
	HypervPassthrough *HyperVPassthrough `json:"hypervPassthrough,omitempty"`
	// +optional
	KVM *FeatureKVM `json:"kvm,omitempty"`
	// +optional
	Pvspinlock *FeatureState `json:"pvspinlock,omitempty"`
	// +optional
	SMM *FeatureState `json:"smm,omitempty"`
}

// Firmware is the type of DomainSpec.firmware.
type Firmware struct {
	// +optional
	ACPI *ACPI `json:"acpi,omitempty"`
	// +optional
	Bootloader *Bootloader `json:"bootloader,omitempty"`
	// +optional
	KernelBoot *KernelBoot `json:"kernelBoot,omitempty"`
	// +optional
	Serial string `json:"serial,omitempty"`
	// +optional
	UUID string `json:"uuid,omitempty"`
}

// LaunchSecurity is the type of DomainSpec.launchSecurity.
type LaunchSecurity struct {
	// +optional
	SEV *SEV `json:"sev,omitempty"`
	// +optional
	SNP *SEVSNP `json:"snp,omitempty"`
	// +optional
	TDX *TDX `json:"tdx,omitempty"`
}

// Machine is the type of DomainSpec.machine.
type Machine struct {
	// +optional
	Type string `json:"type,omitempty"`
}

// Memory is the type of DomainSpec.memory.
type Memory struct {
	// +optional
	Guest *resource.Quantity `json:"guest,omitempty"`
	// +optional
	Hugepages *Hugepages `json:"hugepages,omitempty"`
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// +optional
	ReservedOverhead *ReservedOverhead `json:"reservedOverhead,omitempty"`
}

// ResourceRequirements is the type of DomainSpec.resources.
type ResourceRequirements struct {
	// +optional
	Limits corev1.ResourceList `json:"limits,omitempty"`
	// +optional
	OvercommitGuestOverhead *bool `json:"overcommitGuestOverhead,omitempty"`
	// +optional
	Requests corev1.ResourceList `json:"requests,omitempty"`
}

// ClockOffsetUTC is the type of Clock.utc.
type ClockOffsetUTC struct {
	// +optional
	OffsetSeconds int32 `json:"offsetSeconds,omitempty"`
}

// CPUFeature is the type of CPU.features.
type CPUFeature struct {
	// +required
	Name string `json:"name"`
	// +optional
	Policy string `json:"policy,omitempty"`
}

// NUMA is the type of CPU.numa.
type NUMA struct {
	// +optional
	GuestMappingPassthrough *NUMAGuestMappingPassthrough `json:"guestMappingPassthrough,omitempty"`
}

// Realtime is the type of CPU.realtime.
type Realtime struct {
	// +optional
	Mask string `json:"mask,omitempty"`
}

// Timer is the type of Clock.timer.
type Timer struct {
	// +optional
	HPET *HPETTimer `json:"hpet,omitempty"`
	// +optional
	Hyperv *HypervTimer `json:"hyperv,omitempty"`
	// +optional
	KVM *KVMTimer `json:"kvm,omitempty"`
	// +optional
	PIT *PITTimer `json:"pit,omitempty"`
	// +optional
	RTC *RTCTimer `json:"rtc,omitempty"`
}

// FeatureAPIC is the type of Features.apic.
type FeatureAPIC struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	EndOfInterrupt *bool `json:"endOfInterrupt,omitempty"`
}

// FeatureHyperv is the type of Features.hyperv.
type FeatureHyperv struct {
	// +optional
	Evmcs *FeatureState `json:"evmcs,omitempty"`
	// +optional
	Frequencies *FeatureState `json:"frequencies,omitempty"`
	// +optional
	Ipi *FeatureState `json:"ipi,omitempty"`
	// +optional
	Reenlightenment *FeatureState `json:"reenlightenment,omitempty"`
	// +optional
	Relaxed *FeatureState `json:"relaxed,omitempty"`
	// +optional
	Reset *FeatureState `json:"reset,omitempty"`
	// +optional
	Runtime *FeatureState `json:"runtime,omitempty"`
	// +optional
	Spinlocks *FeatureSpinlocks `json:"spinlocks,omitempty"`
	// +optional
	Synic *FeatureState `json:"synic,omitempty"`
	// +optional
	Synictimer *SyNICTimer `json:"synictimer,omitempty"`
	// +optional
	Tlbflush *TLBFlush `json:"tlbflush,omitempty"`
	// +optional
	VAPIC *FeatureState `json:"vapic,omitempty"`
	// +optional
	Vendorid *FeatureVendorID `json:"vendorid,omitempty"`
	// +optional
	VPINDEX *FeatureState `json:"vpindex,omitempty"`
}

// FeatureKVM is the type of Features.kvm.
type FeatureKVM struct {
	// +optional
	Hidden *bool `json:"hidden,omitempty"`
}

// HyperVPassthrough is the type of Features.hypervPassthrough.
type HyperVPassthrough struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ACPI is the type of Firmware.acpi.
type ACPI struct {
	// +optional
	MsdmNameRef string `json:"msdmNameRef,omitempty"`
	// +optional
	SlicNameRef string `json:"slicNameRef,omitempty"`
}

// Bootloader is the type of Firmware.bootloader.
type Bootloader struct {
	// +optional
	BIOS *BIOS `json:"bios,omitempty"`
	// +optional
	EFI *EFI `json:"efi,omitempty"`
}

// KernelBoot is the type of Firmware.kernelBoot.
type KernelBoot struct {
	// +optional
	Container *KernelBootContainer `json:"container,omitempty"`
	// +optional
	KernelArgs string `json:"kernelArgs,omitempty"`
}

// SEV is the type of LaunchSecurity.sev.
type SEV struct {
	// +optional
	Attestation *SEVAttestation `json:"attestation,omitempty"`
	// +optional
	DhCERT string `json:"dhCert,omitempty"`
	// +optional
	Policy *SEVPolicy `json:"policy,omitempty"`
	// +optional
	Session string `json:"session,omitempty"`
}

// SEVSNP is the type of LaunchSecurity.snp.
type SEVSNP struct {
}

// TDX is the type of LaunchSecurity.tdx.
type TDX struct {
}

// Hugepages is the type of Memory.hugepages.
type Hugepages struct {
	// +optional
	PageSize string `json:"pageSize,omitempty"`
}

// ReservedOverhead is the type of Memory.reservedOverhead.
type ReservedOverhead struct {
	// +optional
	AddedOverhead *resource.Quantity `json:"addedOverhead,omitempty"`
	// +optional
	MemLock string `json:"memLock,omitempty"`
}

// NUMAGuestMappingPassthrough is the type of NUMA.guestMappingPassthrough.
type NUMAGuestMappingPassthrough struct {
}

// HPETTimer is the type of Timer.hpet.
type HPETTimer struct {
	// +optional
	Present *bool `json:"present,omitempty"`
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
}

// HypervTimer is the type of Timer.hyperv.
type HypervTimer struct {
	// +optional
	Present *bool `json:"present,omitempty"`
}

// KVMTimer is the type of Timer.kvm.
type KVMTimer struct {
	// +optional
	Present *bool `json:"present,omitempty"`
}

// PITTimer is the type of Timer.pit.
type PITTimer struct {
	// +optional
	Present *bool `json:"present,omitempty"`
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
}

// RTCTimer is the type of Timer.rtc.
type RTCTimer struct {
	// +optional
	Present *bool `json:"present,omitempty"`
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
	// +optional
	Track string `json:"track,omitempty"`
}

// FeatureSpinlocks is the type of FeatureHyperv.spinlocks.
type FeatureSpinlocks struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	Spinlocks int64 `json:"spinlocks,omitempty"`
}

// FeatureVendorID is the type of FeatureHyperv.vendorid.
type FeatureVendorID struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	Vendorid string `json:"vendorid,omitempty"`
}

// SyNICTimer is the type of FeatureHyperv.synictimer.
type SyNICTimer struct {
	// +optional
	Direct *FeatureState `json:"direct,omitempty"`
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// TLBFlush is the type of FeatureHyperv.tlbflush.
type TLBFlush struct {
	// +optional
	Direct *FeatureState `json:"direct,omitempty"`
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	Extended *FeatureState `json:"extended,omitempty"`
}

// BIOS is the type of Bootloader.bios.
type BIOS struct {
	// +optional
	UseSerial *bool `json:"useSerial,omitempty"`
}

// EFI is the type of Bootloader.efi.
type EFI struct {
	// +optional
	Persistent *bool `json:"persistent,omitempty"`
	// +optional
	SecureBoot *bool `json:"secureBoot,omitempty"`
}

// KernelBootContainer is the type of KernelBoot.container.
type KernelBootContainer struct {
	// +required
	Image string `json:"image"`
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// +optional
	ImagePullSecret string `json:"imagePullSecret,omitempty"`
	// +optional
	InitrdPath string `json:"initrdPath,omitempty"`
	// +optional
	KernelPath string `json:"kernelPath,omitempty"`
}

// SEVAttestation is the type of SEV.attestation.
type SEVAttestation struct {
}

// SEVPolicy is the type of SEV.policy.
type SEVPolicy struct {
	// +optional
	EncryptedState *bool `json:"encryptedState,omitempty"`
}
