package unsupported

// Entry is one field kvirt's API accepts but its runtime does not implement.
type Entry struct {
	// Path is the field's JSON path in a VirtualMachineInstance, from "spec";
	// "[*]" after a list field applies the rest to every element.
	Path string
	// Reason completes "not supported by kvirt: " and says what the runtime
	// does not do.
	Reason string
	// Gate is upstream's feature gate for the field, when upstream gates it.
	Gate string
	// IfTrue counts the field as used only when it is true (false asks for what
	// kvirt does anyway).
	IfTrue bool
	// Honoured lists the string values kvirt does implement; the field counts
	// as used only when it is set to another value.
	Honoured []string
	// Warn admits an object using the field with an admission warning instead
	// of refusing it; it says why the field must be accepted.
	Warn string
}

// warnCompat is why the warned fields are accepted: refusing them would refuse
// upstream's examples and the common preferences.
const warnCompat = "upstream's examples and common preferences use it"

// Table lists every field kvirt accepts but does not implement. An entry leaves
// the table in the change that implements its field (tests and docs with it).
var Table = []Entry{
	// VMI spec: pod-level and guest-level fields.
	{Path: "spec.accessCredentials[*].sshPublicKey.propagationMethod.noCloud",
		Reason: "no SSH keys are put into the cloud-init seed (use qemuGuestAgent propagation)"},
	{Path: "spec.accessCredentials[*].sshPublicKey.propagationMethod.configDrive",
		Reason: "no SSH keys are put into the cloud-init seed (use qemuGuestAgent propagation)"},
	{Path: "spec.architecture", Honoured: []string{"amd64"}, Reason: "the launcher renders x86_64 domains only"},
	{Path: "spec.evictionStrategy", Honoured: []string{"None"},
		Reason: "nothing acts on a node drain: the launcher pod is evicted and the VM stops, as with None", Warn: "the cluster's default eviction strategy is copied into every VMI"},
	{Path: "spec.resourceClaims", Reason: "the launcher pod claims no dynamic resources"},
	{Path: "spec.utilityVolumes", Gate: "UtilityVolumes", Reason: "the launcher pod mounts no utility volumes"},
	{Path: "spec.networks[*].resourceClaim", Reason: "no network is taken from a resource claim"},
	{Path: "spec.networks[*].pod.vmIPv6NetworkCIDR", Reason: "no IPv6 guest network is set up"},

	// Volumes.
	{Path: "spec.volumes[*].persistentVolumeClaim.hotpluggable", IfTrue: true, Reason: "no volume is hotplugged"},
	{Path: "spec.volumes[*].dataVolume.hotpluggable", IfTrue: true, Reason: "no volume is hotplugged"},
	{Path: "spec.volumes[*].downwardMetrics", Gate: "DownwardMetrics", Reason: "no downward metrics disk is rendered"},
	{Path: "spec.volumes[*].memoryDump", Reason: "no memory dump is taken"},
	{Path: "spec.volumes[*].sysprep", Reason: "no sysprep disk is built"},
	{Path: "spec.volumes[*].containerPath", Reason: "no filesystem is shared with the guest (virtiofs is not rendered)"},

	// Domain: CPU, memory, firmware, clock, features.
	{Path: "spec.domain.chassis", Reason: "no SMBIOS chassis information is rendered"},
	{Path: "spec.domain.clock.timezone", Reason: "no clock offset is rendered (the guest clock is UTC)"},
	{Path: "spec.domain.clock.utc.offsetSeconds", Reason: "no clock offset is rendered (the guest clock is UTC)"},
	{Path: "spec.domain.clock.timer", Reason: "no timers are rendered"},
	{Path: "spec.domain.cpu.dedicatedCpuPlacement", IfTrue: true, Gate: "CPUManager", Reason: "no vCPU is pinned to a host CPU"},
	{Path: "spec.domain.cpu.isolateEmulatorThread", IfTrue: true, Reason: "no emulator thread is pinned"},
	{Path: "spec.domain.cpu.numa", Gate: "NUMA", Reason: "no guest NUMA topology is rendered"},
	{Path: "spec.domain.cpu.realtime", Reason: "no realtime vCPU scheduling is rendered"},
	{Path: "spec.domain.cpu.maxSockets", Reason: "no CPU hotplug: the domain has exactly sockets*cores*threads vCPUs"},
	{Path: "spec.domain.memory.hugepages", Reason: "no hugepage memory backing is rendered (the pod requests hugepages the guest never uses)"},
	{Path: "spec.domain.memory.maxGuest", Reason: "no memory hotplug is rendered"},
	{Path: "spec.domain.memory.reservedOverhead.memLock", Reason: "no memory locking is rendered"},
	{Path: "spec.domain.resources.overcommitGuestOverhead", IfTrue: true, Reason: "the launcher pod always requests the guest's overhead"},
	{Path: "spec.domain.ioThreadsPolicy", Reason: "no IO threads are rendered"},
	{Path: "spec.domain.ioThreads", Reason: "no IO threads are rendered"},
	{Path: "spec.domain.launchSecurity.sev", Gate: "WorkloadEncryptionSEV", Reason: "no confidential-computing launch security is rendered"},
	{Path: "spec.domain.launchSecurity.snp", Reason: "no confidential-computing launch security is rendered"},
	{Path: "spec.domain.launchSecurity.tdx", Gate: "WorkloadEncryptionTDX", Reason: "no confidential-computing launch security is rendered"},
	{Path: "spec.domain.rebootPolicy", Honoured: []string{"Reboot"}, Gate: "RebootPolicy", Reason: "a guest reboot always restarts the domain"},
	{Path: "spec.domain.firmware.acpi", Reason: "no ACPI SLIC or MSDM table is rendered"},
	{Path: "spec.domain.firmware.bootloader.efi.persistent", IfTrue: true, Reason: "EFI variables are not kept across restarts"},
	{Path: "spec.domain.features.apic.endOfInterrupt", IfTrue: true, Reason: "no APIC EOI setting is rendered"},
	{Path: "spec.domain.features.hyperv", Reason: "no Hyper-V enlightenments are rendered"},
	{Path: "spec.domain.features.hypervPassthrough.enabled", IfTrue: true, Reason: "no Hyper-V enlightenments are rendered"},
	{Path: "spec.domain.features.kvm.hidden", IfTrue: true, Reason: "the KVM signature is not hidden"},
	{Path: "spec.domain.features.pvspinlock", Reason: "no paravirtual spinlock setting is rendered"},

	// Devices.
	{Path: "spec.domain.devices.tpm", Reason: "no TPM device is rendered"},
	{Path: "spec.domain.devices.watchdog", Reason: "no watchdog device is rendered"},
	{Path: "spec.domain.devices.sound", Reason: "no sound device is rendered"},
	{Path: "spec.domain.devices.panicDevices", Reason: "no panic device is rendered"},
	{Path: "spec.domain.devices.filesystems", Reason: "no virtiofs filesystem is rendered"},
	{Path: "spec.domain.devices.gpus", Reason: "no GPU is passed through (the pod requests the device resource the guest never sees)"},
	{Path: "spec.domain.devices.hostDevices", Gate: "HostDevices", Reason: "no host device is passed through (the pod requests the device resource the guest never sees)"},
	{Path: "spec.domain.devices.clientPassthrough", Reason: "no USB redirection is rendered"},
	{Path: "spec.domain.devices.downwardMetrics", Gate: "DownwardMetrics", Reason: "no downward metrics device is rendered"},
	{Path: "spec.domain.devices.autoattachInputDevice", IfTrue: true, Reason: "no input device is added automatically (list a tablet in inputs instead)"},
	{Path: "spec.domain.devices.autoattachVSOCK", IfTrue: true, Gate: "VSOCK", Reason: "no VSOCK device is rendered"},
	{Path: "spec.domain.devices.blockMultiQueue", IfTrue: true, Reason: "no multi-queue disks are rendered"},
	{Path: "spec.domain.devices.networkInterfaceMultiqueue", IfTrue: true, Reason: "every interface has one queue (the pod network's tap devices are single-queue)"},
	{Path: "spec.domain.devices.useVirtioTransitional", IfTrue: true, Reason: "only modern virtio devices are rendered"},
	{Path: "spec.domain.devices.disks[*].dedicatedIOThread", IfTrue: true, Warn: warnCompat, Reason: "no IO threads are rendered"},
	{Path: "spec.domain.devices.disks[*].disk.pciAddress", Reason: "no PCI addresses are rendered"},
	{Path: "spec.domain.devices.disks[*].cdrom.tray", Honoured: []string{"closed"}, Reason: "a cdrom's tray is always closed"},
	{Path: "spec.domain.devices.disks[*].lun.reservation", IfTrue: true, Gate: "PersistentReservation", Reason: "no SCSI persistent reservation is rendered"},
	{Path: "spec.domain.devices.disks[*].io", Reason: "no disk IO mode is rendered"},
	{Path: "spec.domain.devices.disks[*].errorPolicy", Reason: "no disk error policy is rendered"},
	{Path: "spec.domain.devices.disks[*].blockSize", Reason: "no disk block sizes are rendered"},
	{Path: "spec.domain.devices.disks[*].shareable", IfTrue: true, Reason: "no disk is shared between domains"},
	{Path: "spec.domain.devices.disks[*].changedBlockTracking", IfTrue: true, Gate: "IncrementalBackup", Reason: "no changed-block tracking is done"},
	{Path: "spec.domain.devices.disks[*].tag", Reason: "no device role tags are given to the guest"},
	{Path: "spec.domain.devices.interfaces[*].portRanges", Reason: "the masquerade binding forwards all ports or the listed ports, no port ranges"},
	{Path: "spec.domain.devices.interfaces[*].dhcpOptions", Reason: "the DHCP server hands out no extra options"},
	{Path: "spec.domain.devices.interfaces[*].sriov", Reason: "no SR-IOV binding is implemented"},
	{Path: "spec.domain.devices.interfaces[*].binding", Reason: "no network binding plugins are run"},
	{Path: "spec.domain.devices.interfaces[*].passtBinding", Gate: "PasstBinding", Reason: "no passt binding is implemented"},
	{Path: "spec.domain.devices.interfaces[*].state", Honoured: []string{"up", "down"}, Reason: "no interface is hot-unplugged (absent)"},
	{Path: "spec.domain.devices.interfaces[*].tag", Reason: "no device role tags are given to the guest"},
}
