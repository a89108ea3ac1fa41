package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// DomainSpec is the virtual hardware of a VMI.
type DomainSpec struct {
	// chassis sets the SMBIOS chassis information the guest sees.
	// +optional
	Chassis *Chassis `json:"chassis,omitempty"`
	// clock sets the guest's clock offset and timers.
	// +optional
	Clock *Clock `json:"clock,omitempty"`
	// cpu sets the vCPU topology, model, features and pinning.
	// +optional
	CPU *CPU `json:"cpu,omitempty"`
	// devices lists the guest's disks, interfaces and other devices.
	// +required
	Devices Devices `json:"devices"`
	// features turns hypervisor features such as ACPI, APIC, Hyper-V enlightenments and SMM on or off.
	// +optional
	Features *Features `json:"features,omitempty"`
	// firmware selects BIOS or EFI, direct kernel boot and the SMBIOS UUID and serial.
	// +optional
	Firmware *Firmware `json:"firmware,omitempty"`
	// ioThreads sizes the iothread pool of the supplementalPool policy.
	// +optional
	IOThreads *DiskIOThreads `json:"ioThreads,omitempty"`
	// ioThreadsPolicy says how disks get iothreads: shared (one for all), auto (a pool sized by vCPUs)
	// or supplementalPool (a fixed pool); no iothreads when empty.
	// +optional
	IOThreadsPolicy string `json:"ioThreadsPolicy,omitempty"`
	// launchSecurity runs the guest as a confidential VM (AMD SEV/SEV-SNP or Intel TDX).
	// +optional
	LaunchSecurity *LaunchSecurity `json:"launchSecurity,omitempty"`
	// machine is the QEMU machine type; defaulted from the cluster or the architecture (q35 on amd64).
	// +optional
	Machine *Machine `json:"machine,omitempty"`
	// memory sets guest memory size, hugepages and the hotplug maximum.
	// +optional
	Memory *Memory `json:"memory,omitempty"`
	// rebootPolicy is Reboot (default: the guest reboots in place) or Terminate (a guest reboot ends
	// the VMI, so its controller can start a new one).
	// +optional
	RebootPolicy string `json:"rebootPolicy,omitempty"`
	// resources are the CPU and memory requests and limits of the launcher pod.
	// +optional
	Resources ResourceRequirements `json:"resources,omitempty"`
}

// ClockOffset is a guest clock offset.
type ClockOffset struct {
	// timezone starts the guest clock in this time zone, e.g. Europe/Berlin.
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// utc starts the guest clock at UTC plus an offset.
	// +optional
	Utc *ClockOffsetUTC `json:"utc,omitempty"`
}

// CPU is the guest's CPU configuration.
type CPU struct {
	// cores is the number of cores per socket; at least 1. With sockets and threads unset too, the
	// topology defaults to one core, one thread and as many sockets as CPUs requested.
	// +optional
	Cores int64 `json:"cores,omitempty"`
	// dedicatedCpuPlacement pins each vCPU to a host CPU of its own; needs whole CPUs with equal
	// requests and limits.
	// +optional
	DedicatedCPUPlacement *bool `json:"dedicatedCpuPlacement,omitempty"`
	// features enables or disables individual CPU features.
	// +optional
	Features []CPUFeature `json:"features,omitempty"`
	// isolateEmulatorThread gives QEMU's emulator thread one more dedicated host CPU; needs
	// dedicatedCpuPlacement.
	// +optional
	IsolateEmulatorThread *bool `json:"isolateEmulatorThread,omitempty"`
	// maxSockets is the most sockets CPU hotplug may grow the VM to.
	// +optional
	MaxSockets int64 `json:"maxSockets,omitempty"`
	// model is the CPU model the guest sees, a libvirt model name or host-model (default) or
	// host-passthrough.
	// +optional
	Model string `json:"model,omitempty"`
	// numa sets the guest's NUMA topology.
	// +optional
	NUMA *NUMA `json:"numa,omitempty"`
	// realtime tunes the vCPUs for low latency; needs dedicatedCpuPlacement.
	// +optional
	Realtime *Realtime `json:"realtime,omitempty"`
	// sockets is the number of sockets; at least 1.
	// +optional
	Sockets int64 `json:"sockets,omitempty"`
	// threads is the number of threads per core; at least 1.
	// +optional
	Threads int64 `json:"threads,omitempty"`
}

// Chassis is SMBIOS chassis information.
type Chassis struct {
	// asset is the chassis asset tag.
	// +optional
	Asset string `json:"asset,omitempty"`
	// manufacturer is the chassis manufacturer.
	// +optional
	Manufacturer string `json:"manufacturer,omitempty"`
	// serial is the chassis serial number.
	// +optional
	Serial string `json:"serial,omitempty"`
	// sku is the chassis SKU number.
	// +optional
	Sku string `json:"sku,omitempty"`
	// version is the chassis version.
	// +optional
	Version string `json:"version,omitempty"`
}

// Clock is the guest's clock configuration.
type Clock struct {
	// timer lists the timers attached to the guest.
	// +optional
	Timer *Timer `json:"timer,omitempty"`
	// timezone starts the guest clock in this time zone, e.g. Europe/Berlin; exclusive with utc.
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// utc starts the guest clock at UTC plus an offset; exclusive with timezone.
	// +optional
	Utc *ClockOffsetUTC `json:"utc,omitempty"`
}

// DiskIOThreads sizes the iothread pool.
type DiskIOThreads struct {
	// supplementalPoolThreadCount is the number of iothreads in the supplementalPool.
	// +optional
	SupplementalPoolThreadCount int64 `json:"supplementalPoolThreadCount,omitempty"`
}

// Features are hypervisor features exposed to the guest.
type Features struct {
	// acpi enables ACPI; on by default.
	// +optional
	ACPI FeatureState `json:"acpi,omitempty"`
	// apic enables the APIC, optionally with end-of-interrupt notification.
	// +optional
	Apic *FeatureAPIC `json:"apic,omitempty"`
	// hyperv enables individual Hyper-V enlightenments for Windows guests.
	// +optional
	Hyperv *FeatureHyperv `json:"hyperv,omitempty"`
	// hypervPassthrough enables every Hyper-V enlightenment the host supports; exclusive with hyperv,
	// and the VM cannot migrate.
	// +optional
	HypervPassthrough *HyperVPassthrough `json:"hypervPassthrough,omitempty"`
	// kvm sets how the guest sees KVM.
	// +optional
	KVM *FeatureKVM `json:"kvm,omitempty"`
	// pvspinlock tells the guest that paravirtual spinlocks are available; disable it for old kernels.
	// +optional
	Pvspinlock *FeatureState `json:"pvspinlock,omitempty"`
	// smm enables System Management Mode, needed by EFI secure boot.
	// +optional
	SMM *FeatureState `json:"smm,omitempty"`
}

// Firmware is the guest's firmware configuration.
type Firmware struct {
	// acpi adds ACPI tables (SLIC, MSDM) from Secrets, e.g. for Windows activation.
	// +optional
	ACPI *ACPI `json:"acpi,omitempty"`
	// bootloader selects BIOS (default) or EFI.
	// +optional
	Bootloader *Bootloader `json:"bootloader,omitempty"`
	// kernelBoot boots a kernel and initrd taken from a container image instead of a disk.
	// +optional
	KernelBoot *KernelBoot `json:"kernelBoot,omitempty"`
	// serial is the SMBIOS system serial number.
	// +optional
	Serial string `json:"serial,omitempty"`
	// uuid is the SMBIOS system UUID; generated when unset and kept for the VM's life.
	// +optional
	UUID string `json:"uuid,omitempty"`
}

// LaunchSecurity selects a confidential computing technology; one field is set.
type LaunchSecurity struct {
	// sev runs the guest with AMD SEV memory encryption.
	// +optional
	SEV *SEV `json:"sev,omitempty"`
	// snp runs the guest with AMD SEV-SNP.
	// +optional
	SNP *SEVSNP `json:"snp,omitempty"`
	// tdx runs the guest as an Intel TDX trust domain.
	// +optional
	TDX *TDX `json:"tdx,omitempty"`
}

// Machine is the guest's machine type.
type Machine struct {
	// type is the QEMU machine type (chipset), e.g. q35 or a versioned pc-q35-*.
	// +optional
	Type string `json:"type,omitempty"`
}

// Memory is the guest's memory configuration.
type Memory struct {
	// guest is the memory the guest sees; defaults to the memory request (or limit); must not exceed
	// the limit.
	// +optional
	Guest *resource.Quantity `json:"guest,omitempty"`
	// hugepages backs guest memory with hugepages.
	// +optional
	Hugepages *Hugepages `json:"hugepages,omitempty"`
	// maxGuest is the most memory hotplug may grow the guest to.
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// reservedOverhead adds to the memory overhead reserved for the launcher pod.
	// +optional
	ReservedOverhead *ReservedOverhead `json:"reservedOverhead,omitempty"`
}

// ResourceRequirements are the compute resources of a VMI's pod.
type ResourceRequirements struct {
	// limits caps the launcher pod's cpu and memory.
	// +optional
	Limits corev1.ResourceList `json:"limits,omitempty"`
	// overcommitGuestOverhead leaves the virtualization overhead out of the pod's memory request (only
	// in its limit); the node may then run out of memory.
	// +optional
	OvercommitGuestOverhead *bool `json:"overcommitGuestOverhead,omitempty"`
	// requests are the cpu and memory reserved for the VM; the scheduler places the pod by them.
	// +optional
	Requests corev1.ResourceList `json:"requests,omitempty"`
}

// ClockOffsetUTC is an offset from UTC.
type ClockOffsetUTC struct {
	// offsetSeconds is the guest clock's offset from UTC in seconds; changes the guest makes survive
	// reboots.
	// +optional
	OffsetSeconds int32 `json:"offsetSeconds,omitempty"`
}

// CPUFeature turns one CPU feature on or off.
type CPUFeature struct {
	// name is the feature name as libvirt knows it, e.g. vmx.
	// +required
	Name string `json:"name"`
	// policy is force, require (default), optional, disable or forbid: how the feature is handled
	// whatever the host supports.
	// +optional
	Policy string `json:"policy,omitempty"`
}

// NUMA is the guest NUMA configuration.
type NUMA struct {
	// guestMappingPassthrough mirrors the host NUMA layout of the dedicated CPUs into the guest; needs
	// dedicated CPUs and hugepages.
	// +optional
	GuestMappingPassthrough *NUMAGuestMappingPassthrough `json:"guestMappingPassthrough,omitempty"`
}

// Realtime tunes vCPUs for low latency.
type Realtime struct {
	// mask selects the vCPUs tuned for realtime, in libvirt's syntax such as "0-3,^1"; all when empty.
	// +optional
	Mask string `json:"mask,omitempty"`
}

// Timer lists the guest's timers.
type Timer struct {
	// hpet is the high precision event timer.
	// +optional
	HPET *HPETTimer `json:"hpet,omitempty"`
	// hyperv is the Hyper-V reference clock, for Windows guests.
	// +optional
	Hyperv *HypervTimer `json:"hyperv,omitempty"`
	// kvm is the paravirtual KVM clock, for Linux guests.
	// +optional
	KVM *KVMTimer `json:"kvm,omitempty"`
	// pit is the programmable interval timer.
	// +optional
	PIT *PITTimer `json:"pit,omitempty"`
	// rtc is the real-time clock.
	// +optional
	RTC *RTCTimer `json:"rtc,omitempty"`
}

// FeatureAPIC configures the APIC.
type FeatureAPIC struct {
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// endOfInterrupt lets the guest signal completed interrupts without a VM exit (PV EOI);
	// defaults to false.
	// +optional
	EndOfInterrupt *bool `json:"endOfInterrupt,omitempty"`
}

// FeatureHyperv lists Hyper-V enlightenments.
type FeatureHyperv struct {
	// evmcs enables enlightened VMCS for nested guests; needs vapic.
	// +optional
	Evmcs *FeatureState `json:"evmcs,omitempty"`
	// frequencies exposes the TSC and APIC frequencies to the guest.
	// +optional
	Frequencies *FeatureState `json:"frequencies,omitempty"`
	// ipi enables paravirtual inter-processor interrupts; needs vpindex.
	// +optional
	Ipi *FeatureState `json:"ipi,omitempty"`
	// reenlightenment notifies the guest when the TSC frequency changes.
	// +optional
	Reenlightenment *FeatureState `json:"reenlightenment,omitempty"`
	// relaxed stops the guest from timing out its watchdogs when the host is busy.
	// +optional
	Relaxed *FeatureState `json:"relaxed,omitempty"`
	// reset lets the guest reset the VM through Hyper-V; needs synic.
	// +optional
	Reset *FeatureState `json:"reset,omitempty"`
	// runtime exposes the vCPU run time to the guest scheduler.
	// +optional
	Runtime *FeatureState `json:"runtime,omitempty"`
	// spinlocks sets how often the guest spins on a lock before telling the hypervisor.
	// +optional
	Spinlocks *FeatureSpinlocks `json:"spinlocks,omitempty"`
	// synic enables the synthetic interrupt controller; needs vpindex.
	// +optional
	Synic *FeatureState `json:"synic,omitempty"`
	// synictimer enables synthetic timers; needs synic and the hyperv timer.
	// +optional
	Synictimer *SyNICTimer `json:"synictimer,omitempty"`
	// tlbflush enables paravirtual TLB flushes; needs vpindex.
	// +optional
	Tlbflush *TLBFlush `json:"tlbflush,omitempty"`
	// vapic enables the paravirtual APIC.
	// +optional
	VAPIC *FeatureState `json:"vapic,omitempty"`
	// vendorid sets the hypervisor vendor ID the guest sees.
	// +optional
	Vendorid *FeatureVendorID `json:"vendorid,omitempty"`
	// vpindex enables virtual processor indexes.
	// +optional
	VPINDEX *FeatureState `json:"vpindex,omitempty"`
}

// FeatureKVM configures what the guest sees of KVM.
type FeatureKVM struct {
	// hidden hides KVM's signature from the guest; defaults to false.
	// +optional
	Hidden *bool `json:"hidden,omitempty"`
}

// HyperVPassthrough enables all Hyper-V enlightenments.
type HyperVPassthrough struct {
	// enabled turns the passthrough on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ACPI holds extra ACPI tables.
type ACPI struct {
	// msdmNameRef names a volume (a Secret) holding an ACPI MSDM table.
	// +optional
	MsdmNameRef string `json:"msdmNameRef,omitempty"`
	// slicNameRef names a volume (a Secret) holding an ACPI SLIC table.
	// +optional
	SlicNameRef string `json:"slicNameRef,omitempty"`
}

// Bootloader selects BIOS or EFI.
type Bootloader struct {
	// bios boots with SeaBIOS; the default.
	// +optional
	BIOS *BIOS `json:"bios,omitempty"`
	// efi boots with OVMF (UEFI); exclusive with bios.
	// +optional
	EFI *EFI `json:"efi,omitempty"`
}

// KernelBoot boots a kernel from a container image.
type KernelBoot struct {
	// container is the image holding the kernel and initrd.
	// +optional
	Container *KernelBootContainer `json:"container,omitempty"`
	// kernelArgs is the kernel command line.
	// +optional
	KernelArgs string `json:"kernelArgs,omitempty"`
}

// SEV configures AMD SEV.
type SEV struct {
	// attestation, when present, starts the guest paused so its owner can verify and inject secrets
	// before it runs.
	// +optional
	Attestation *SEVAttestation `json:"attestation,omitempty"`
	// dhCert is the guest owner's base64 Diffie-Hellman certificate.
	// +optional
	DhCERT string `json:"dhCert,omitempty"`
	// policy sets the SEV guest policy.
	// +optional
	Policy *SEVPolicy `json:"policy,omitempty"`
	// session is the base64 launch session blob.
	// +optional
	Session string `json:"session,omitempty"`
}

// SEVSNP selects AMD SEV-SNP; it has no fields.
type SEVSNP struct {
}

// TDX selects Intel TDX; it has no fields.
type TDX struct {
}

// Hugepages configures hugepage backing.
type Hugepages struct {
	// pageSize is the hugepage size, e.g. 2Mi or 1Gi on x86_64.
	// +optional
	PageSize string `json:"pageSize,omitempty"`
}

// ReservedOverhead adds memory overhead.
type ReservedOverhead struct {
	// addedOverhead is extra memory added to the launcher pod's request and limit.
	// +optional
	AddedOverhead *resource.Quantity `json:"addedOverhead,omitempty"`
	// memLock is Required or NotRequired: whether guest and overhead memory must be locked (needed for
	// VFIO and vDPA devices).
	// +optional
	MemLock string `json:"memLock,omitempty"`
}

// NUMAGuestMappingPassthrough mirrors host NUMA into the guest; it has no fields.
type NUMAGuestMappingPassthrough struct {
}

// HPETTimer is the HPET timer.
type HPETTimer struct {
	// present attaches (true, default) or removes (false) the timer.
	// +optional
	Present *bool `json:"present,omitempty"`
	// tickPolicy says what happens to ticks QEMU could not deliver in time: delay, catchup, merge or
	// discard.
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
}

// HypervTimer is the Hyper-V clock.
type HypervTimer struct {
	// present attaches (true, default) or removes (false) the timer.
	// +optional
	Present *bool `json:"present,omitempty"`
}

// KVMTimer is the KVM clock.
type KVMTimer struct {
	// present attaches (true, default) or removes (false) the timer.
	// +optional
	Present *bool `json:"present,omitempty"`
}

// PITTimer is the PIT timer.
type PITTimer struct {
	// present attaches (true, default) or removes (false) the timer.
	// +optional
	Present *bool `json:"present,omitempty"`
	// tickPolicy says what happens to ticks QEMU could not deliver in time: delay, catchup or discard.
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
}

// RTCTimer is the real-time clock.
type RTCTimer struct {
	// present attaches (true, default) or removes (false) the timer.
	// +optional
	Present *bool `json:"present,omitempty"`
	// tickPolicy says what happens to ticks QEMU could not deliver in time: delay or catchup.
	// +optional
	TickPolicy string `json:"tickPolicy,omitempty"`
	// track is guest or wall: which clock the RTC follows.
	// +optional
	Track string `json:"track,omitempty"`
}

// FeatureSpinlocks configures Hyper-V spinlock retries.
type FeatureSpinlocks struct {
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// spinlocks is the number of spin attempts, at least 4096 (the default).
	// +optional
	Spinlocks int64 `json:"spinlocks,omitempty"`
}

// FeatureVendorID sets the hypervisor vendor ID.
type FeatureVendorID struct {
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// vendorid is the vendor ID, at most 12 characters.
	// +optional
	Vendorid string `json:"vendorid,omitempty"`
}

// SyNICTimer configures Hyper-V synthetic timers.
type SyNICTimer struct {
	// direct enables direct-mode synthetic timers.
	// +optional
	Direct *FeatureState `json:"direct,omitempty"`
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// TLBFlush configures Hyper-V TLB flushes.
type TLBFlush struct {
	// direct lets the guest send TLB flushes straight to the hypervisor, useful for nested guests such
	// as Windows VBS.
	// +optional
	Direct *FeatureState `json:"direct,omitempty"`
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// extended lets the guest flush parts of the TLB.
	// +optional
	Extended *FeatureState `json:"extended,omitempty"`
}

// BIOS configures SeaBIOS.
type BIOS struct {
	// useSerial sends BIOS output to the serial console.
	// +optional
	UseSerial *bool `json:"useSerial,omitempty"`
}

// EFI configures UEFI firmware.
type EFI struct {
	// persistent keeps the EFI variables (NVRAM) across restarts; defaults to false.
	// +optional
	Persistent *bool `json:"persistent,omitempty"`
	// secureBoot enables secure boot; defaults to true and needs SMM.
	// +optional
	SecureBoot *bool `json:"secureBoot,omitempty"`
}

// KernelBootContainer is the image holding a kernel and initrd.
type KernelBootContainer struct {
	// image is the container image holding the kernel and initrd.
	// +required
	Image string `json:"image"`
	// imagePullPolicy is Always, IfNotPresent or Never; defaults to Always for :latest or untagged
	// images, IfNotPresent otherwise.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// imagePullSecret names a Secret with credentials for the image's registry.
	// +optional
	ImagePullSecret string `json:"imagePullSecret,omitempty"`
	// initrdPath is the path of the initrd inside the image.
	// +optional
	InitrdPath string `json:"initrdPath,omitempty"`
	// kernelPath is the path of the kernel inside the image.
	// +optional
	KernelPath string `json:"kernelPath,omitempty"`
}

// SEVAttestation requests SEV attestation; it has no fields.
type SEVAttestation struct {
}

// SEVPolicy is the SEV guest policy.
type SEVPolicy struct {
	// encryptedState also encrypts the vCPU registers (SEV-ES); defaults to false.
	// +optional
	EncryptedState *bool `json:"encryptedState,omitempty"`
}
