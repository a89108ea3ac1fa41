package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstanceStatus is the observed state of a VMI.
type VirtualMachineInstanceStatus struct {
	// VSOCKCID is the VSOCK context ID given to the guest, when VSOCK is attached.
	// +optional
	VSOCKCID int64 `json:"VSOCKCID,omitempty"`
	// activePods maps the UID of each launcher pod of this VMI to its node; during a migration there
	// are two.
	// +optional
	ActivePods map[string]string `json:"activePods,omitempty"`
	// changedBlockTracking reports changed block tracking and backups of the VM's disks.
	// +optional
	ChangedBlockTracking *ChangedBlockTrackingStatus `json:"changedBlockTracking,omitempty"`
	// conditions are the VMI's conditions (Ready, Paused, LiveMigratable, AgentConnected, ...), merged
	// by type.
	// +optional
	Conditions []VirtualMachineInstanceCondition `json:"conditions,omitempty"`
	// currentCPUTopology is the vCPU layout the guest has now; it differs from the spec while a CPU
	// hotplug is in progress.
	// +optional
	CurrentCPUTopology *CPUTopology `json:"currentCPUTopology,omitempty"`
	// evacuationNodeName is set to the node being drained when the VMI must leave it; written by
	// KubeVirt only.
	// +optional
	EvacuationNodeName string `json:"evacuationNodeName,omitempty"`
	// fsFreezeStatus is "frozen" while a guest filesystem freeze is requested, empty otherwise.
	// +optional
	FsFreezeStatus string `json:"fsFreezeStatus,omitempty"`
	// guestOSInfo describes the guest OS as reported by the QEMU guest agent.
	// +optional
	GuestOSInfo VirtualMachineInstanceGuestOSInfo `json:"guestOSInfo,omitempty"`
	// interfaces lists the guest's network interfaces with their MAC and IP addresses; the first
	// entry's ipAddress is the IP column of kubectl get.
	// +optional
	Interfaces []VirtualMachineInstanceNetworkInterface `json:"interfaces,omitempty"`
	// kernelBootStatus reports the kernel and initrd taken from a kernel boot container.
	// +optional
	KernelBootStatus *KernelBootStatus `json:"kernelBootStatus,omitempty"`
	// launcherContainerImageVersion is the virt-launcher image the VM runs in; an outdated image marks
	// the VMI for update.
	// +optional
	LauncherContainerImageVersion string `json:"launcherContainerImageVersion,omitempty"`
	// machine is the machine type QEMU actually uses, with aliases such as q35 resolved.
	// +optional
	Machine *Machine `json:"machine,omitempty"`
	// memory reports guest memory at boot, now and requested, and the launcher's overhead.
	// +optional
	Memory *MemoryStatus `json:"memory,omitempty"`
	// migratedVolumes pairs source and destination claims of volumes being moved by a storage
	// migration.
	// +optional
	// +listType=atomic
	MigratedVolumes []StorageMigratedVolumeInfo `json:"migratedVolumes,omitempty"`
	// migrationMethod is how the VMI would migrate: LiveMigration (shared storage) or BlockMigration
	// (disks copied too).
	// +optional
	MigrationMethod VirtualMachineInstanceMigrationMethod `json:"migrationMethod,omitempty"`
	// migrationState reports the current or last migration of this VMI.
	// +optional
	MigrationState *VirtualMachineInstanceMigrationState `json:"migrationState,omitempty"`
	// migrationTransport is the transport used for migration traffic.
	// +optional
	MigrationTransport string `json:"migrationTransport,omitempty"`
	// nodeName is the node the VM runs on; set once it is scheduled.
	// +optional
	NodeName string `json:"nodeName,omitempty"`
	// phase is the lifecycle phase: Pending, Scheduling, Scheduled, Running, Succeeded, Failed,
	// Unknown or WaitingForSync.
	// +optional
	Phase VirtualMachineInstancePhase `json:"phase,omitempty"`
	// phaseTransitionTimestamps records when the VMI entered each phase.
	// +optional
	// +listType=atomic
	PhaseTransitionTimestamps []VirtualMachineInstancePhaseTransitionTimestamp `json:"phaseTransitionTimestamps,omitempty"`
	// qosClass is the Kubernetes QoS class of the launcher pod: Guaranteed, Burstable or BestEffort.
	// +optional
	// +kubebuilder:validation:Enum=BestEffort;Burstable;Guaranteed
	QosClass *corev1.PodQOSClass `json:"qosClass,omitempty"`
	// reason is a one-word cause of the current phase, e.g. NodeUnresponsive.
	// +optional
	Reason string `json:"reason,omitempty"`
	// runtimeUser is the UID the launcher and QEMU run as: 107, or 0 when an interface binds the pod
	// network by bridge (its launcher builds the in-pod bridge as root).
	// +optional
	RuntimeUser int64 `json:"runtimeUser,omitempty"`
	// selinuxContext is the SELinux label the launcher pod runs with.
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// topologyHints carries node facts the VM needs on any node it runs on, such as the TSC frequency.
	// +optional
	TopologyHints *TopologyHints `json:"topologyHints,omitempty"`
	// virtualMachineRevisionName names the ControllerRevision of the VM spec this VMI was created
	// from.
	// +optional
	VirtualMachineRevisionName string `json:"virtualMachineRevisionName,omitempty"`
	// volumeStatus reports each volume's target, phase and backing claim.
	// +optional
	// +listType=atomic
	VolumeStatus []VolumeStatus `json:"volumeStatus,omitempty"`
}

// CPUTopology is a vCPU layout.
type CPUTopology struct {
	// cores is the number of cores per socket; at least 1.
	// +optional
	Cores int64 `json:"cores,omitempty"`
	// sockets is the number of sockets; at least 1.
	// +optional
	Sockets int64 `json:"sockets,omitempty"`
	// threads is the number of threads per core; at least 1.
	// +optional
	Threads int64 `json:"threads,omitempty"`
}

// ChangedBlockTrackingStatus is the changed block tracking state of a VM.
type ChangedBlockTrackingStatus struct {
	// backupStatus reports the backup running or last run.
	// +optional
	BackupStatus *VirtualMachineInstanceBackupStatus `json:"backupStatus,omitempty"`
	// state is the changed block tracking state of the VM.
	// +required
	State string `json:"state"`
}

// KernelBootStatus reports a kernel boot container's files.
type KernelBootStatus struct {
	// initrdInfo describes the initrd in use.
	// +optional
	InitrdInfo *InitrdInfo `json:"initrdInfo,omitempty"`
	// kernelInfo describes the kernel image in use.
	// +optional
	KernelInfo *KernelInfo `json:"kernelInfo,omitempty"`
}

// MemoryStatus reports guest memory sizes.
type MemoryStatus struct {
	// guestAtBoot is the guest memory the VM booted with.
	// +optional
	GuestAtBoot *resource.Quantity `json:"guestAtBoot,omitempty"`
	// guestCurrent is the guest memory the VM has now.
	// +optional
	GuestCurrent *resource.Quantity `json:"guestCurrent,omitempty"`
	// guestRequested is the guest memory asked for by a memory hotplug.
	// +optional
	GuestRequested *resource.Quantity `json:"guestRequested,omitempty"`
	// memoryOverhead is the memory the launcher pod needs beyond guest memory.
	// +optional
	MemoryOverhead *resource.Quantity `json:"memoryOverhead,omitempty"`
}

// StorageMigratedVolumeInfo pairs the claims of one volume being moved.
type StorageMigratedVolumeInfo struct {
	// destinationPVCInfo describes the claim the volume moves to.
	// +optional
	DestinationPVCInfo *PersistentVolumeClaimInfo `json:"destinationPVCInfo,omitempty"`
	// sourcePVCInfo describes the claim the volume moves from.
	// +optional
	SourcePVCInfo *PersistentVolumeClaimInfo `json:"sourcePVCInfo,omitempty"`
	// volumeName is the VMI volume whose storage moves.
	// +required
	VolumeName string `json:"volumeName"`
}

// TopologyHints are node facts a VM depends on.
type TopologyHints struct {
	// tscFrequency is the guest's TSC frequency in Hz; the VM can only run or migrate where the node
	// matches.
	// +optional
	TSCFrequency int64 `json:"tscFrequency,omitempty"`
}

// VirtualMachineInstanceCondition is one condition of a VMI.
type VirtualMachineInstanceCondition struct {
	// status is True, False or Unknown.
	// +required
	Status string `json:"status"`
	// lastProbeTime is when the condition was last checked.
	// +optional
	// +nullable
	LastProbeTime metav1.Time `json:"lastProbeTime,omitempty"`
	// lastTransitionTime is when the status last changed.
	// +optional
	// +nullable
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// message explains the condition for humans.
	// +optional
	Message string `json:"message,omitempty"`
	// reason is a one-word, machine-readable cause of the status.
	// +optional
	Reason string `json:"reason,omitempty"`
	// type names the condition, e.g. Ready or LiveMigratable.
	// +required
	Type VirtualMachineInstanceConditionType `json:"type"`
}

// VirtualMachineInstanceGuestOSInfo describes the guest OS.
type VirtualMachineInstanceGuestOSInfo struct {
	// id is the OS identifier, such as fedora or mswindows.
	// +optional
	ID string `json:"id,omitempty"`
	// kernelRelease is the guest kernel's release string.
	// +optional
	KernelRelease string `json:"kernelRelease,omitempty"`
	// kernelVersion is the guest kernel's version string.
	// +optional
	KernelVersion string `json:"kernelVersion,omitempty"`
	// machine is the guest's hardware architecture, such as x86_64.
	// +optional
	Machine string `json:"machine,omitempty"`
	// name is the OS name.
	// +optional
	Name string `json:"name,omitempty"`
	// prettyName is the OS name and version for display.
	// +optional
	PrettyName string `json:"prettyName,omitempty"`
	// version is the OS version.
	// +optional
	Version string `json:"version,omitempty"`
	// versionId is the OS version in machine-readable form.
	// +optional
	VersionID string `json:"versionId,omitempty"`
}

// VirtualMachineInstanceMigrationState is the state of a VMI's migration.
type VirtualMachineInstanceMigrationState struct {
	// abortRequested is true once cancelling the migration was asked for.
	// +optional
	AbortRequested bool `json:"abortRequested,omitempty"`
	// abortStatus is the outcome of a cancel: Succeeded, Failed or Aborting.
	// +optional
	AbortStatus string `json:"abortStatus,omitempty"`
	// completed is true when the migration finished, successfully or not.
	// +optional
	Completed bool `json:"completed,omitempty"`
	// endTimestamp is when the migration ended.
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// failed is true when the migration failed.
	// +optional
	Failed bool `json:"failed,omitempty"`
	// failureReason says why the migration failed.
	// +optional
	FailureReason string `json:"failureReason,omitempty"`
	// migrationConfiguration is the effective configuration of this migration (cluster settings,
	// possibly overridden by a migration policy).
	// +optional
	MigrationConfiguration *VMIMConfigurationOptions `json:"migrationConfiguration,omitempty"`
	// migrationNetworkType is pod or migration: which network carries the traffic.
	// +optional
	MigrationNetworkType string `json:"migrationNetworkType,omitempty"`
	// migrationPolicyName is the MigrationPolicy that applied; empty when none matched.
	// +optional
	MigrationPolicyName string `json:"migrationPolicyName,omitempty"`
	// migrationUid is the UID of the VirtualMachineInstanceMigration behind this migration.
	// +optional
	MigrationUID string `json:"migrationUid,omitempty"`
	// mode is PreCopy or PostCopy.
	// +optional
	Mode MigrationMode `json:"mode,omitempty"`
	// sourceNode is the node the VM leaves.
	// +optional
	SourceNode string `json:"sourceNode,omitempty"`
	// sourcePersistentStatePVCName is the source's PVC of persistent VM state (TPM, EFI variables), if
	// any.
	// +optional
	SourcePersistentStatePVCName string `json:"sourcePersistentStatePVCName,omitempty"`
	// sourcePod is the launcher pod the VM leaves.
	// +optional
	SourcePod string `json:"sourcePod,omitempty"`
	// sourceState is the part of the state written by the source side.
	// +optional
	SourceState *VirtualMachineInstanceMigrationSourceState `json:"sourceState,omitempty"`
	// startTimestamp is when the migration started.
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// targetAttachmentPodUID is the UID of the pod that attaches hotplugged volumes on the target
	// node.
	// +optional
	TargetAttachmentPodUID string `json:"targetAttachmentPodUID,omitempty"`
	// targetCPUSet is the set of dedicated host CPUs given to the VM on the target node.
	// +optional
	// +listType=atomic
	TargetCPUSet []int32 `json:"targetCPUSet,omitempty"`
	// targetDirectMigrationNodePorts maps the ports opened on the target node for migration traffic.
	// +optional
	TargetDirectMigrationNodePorts map[string]int32 `json:"targetDirectMigrationNodePorts,omitempty"`
	// targetMemoryOverhead is the extra memory, beyond the guest's, the receiving launcher pod
	// reserves.
	// +optional
	TargetMemoryOverhead *resource.Quantity `json:"targetMemoryOverhead,omitempty"`
	// targetNode is the node the VM moves to.
	// +optional
	TargetNode string `json:"targetNode,omitempty"`
	// targetNodeAddress is the address the source sends migration traffic to.
	// +optional
	TargetNodeAddress string `json:"targetNodeAddress,omitempty"`
	// targetNodeDomainDetected is true once the target node saw the domain start.
	// +optional
	TargetNodeDomainDetected bool `json:"targetNodeDomainDetected,omitempty"`
	// targetNodeDomainReadyTimestamp is when the target node saw the domain become active.
	// +optional
	TargetNodeDomainReadyTimestamp *metav1.Time `json:"targetNodeDomainReadyTimestamp,omitempty"`
	// targetNodeTopology is the NUMA topology of the target node, for VMs with dedicated CPUs.
	// +optional
	TargetNodeTopology string `json:"targetNodeTopology,omitempty"`
	// targetPersistentStatePVCName is the target's PVC of persistent VM state, if any.
	// +optional
	TargetPersistentStatePVCName string `json:"targetPersistentStatePVCName,omitempty"`
	// targetPod is the launcher pod that receives the VM.
	// +optional
	TargetPod string `json:"targetPod,omitempty"`
	// targetState is the part of the state written by the target side.
	// +optional
	TargetState *VirtualMachineInstanceMigrationTargetState `json:"targetState,omitempty"`
}

// VirtualMachineInstanceNetworkInterface is one guest interface as observed.
type VirtualMachineInstanceNetworkInterface struct {
	// infoSource lists where the data came from: domain, guest-agent and/or multus-status.
	// +optional
	InfoSource string `json:"infoSource,omitempty"`
	// interfaceName is the interface's name inside the guest, such as eth0.
	// +optional
	InterfaceName string `json:"interfaceName,omitempty"`
	// ipAddress is the interface's primary IP address, the first of ipAddresses.
	// +optional
	IPAddress string `json:"ipAddress,omitempty"`
	// ipAddresses lists every IP address of the interface.
	// +optional
	IPAddresses []string `json:"ipAddresses,omitempty"`
	// linkState is up or down.
	// +optional
	LinkState string `json:"linkState,omitempty"`
	// mac is the interface's MAC address.
	// +optional
	MAC string `json:"mac,omitempty"`
	// name is the interface's name in the spec, which is also its network's name.
	// +optional
	Name string `json:"name,omitempty"`
	// podInterfaceName is the launcher pod's interface this one is connected to.
	// +optional
	PodInterfaceName string `json:"podInterfaceName,omitempty"`
	// queueCount is the number of queues of a multi-queue interface.
	// +optional
	QueueCount int32 `json:"queueCount,omitempty"`
}

// VirtualMachineInstancePhaseTransitionTimestamp records when a VMI entered a phase.
type VirtualMachineInstancePhaseTransitionTimestamp struct {
	// phase is the phase entered.
	// +optional
	Phase VirtualMachineInstancePhase `json:"phase,omitempty"`
	// phaseTransitionTimestamp is when it was entered.
	// +optional
	PhaseTransitionTimestamp *metav1.Time `json:"phaseTransitionTimestamp,omitempty"`
}

// VolumeStatus is the observed state of one volume.
type VolumeStatus struct {
	// containerDiskVolume describes a containerDisk volume.
	// +optional
	ContainerDiskVolume *ContainerDiskInfo `json:"containerDiskVolume,omitempty"`
	// hotplugVolume reports the attachment of a hotplugged volume.
	// +optional
	HotplugVolume *HotplugVolumeStatus `json:"hotplugVolume,omitempty"`
	// memoryDumpVolume reports a memory dump volume.
	// +optional
	MemoryDumpVolume *DomainMemoryDumpInfo `json:"memoryDumpVolume,omitempty"`
	// message explains the phase for humans.
	// +optional
	Message string `json:"message,omitempty"`
	// name is the volume's name.
	// +required
	Name string `json:"name"`
	// persistentVolumeClaimInfo describes the claim behind the volume.
	// +optional
	PersistentVolumeClaimInfo *PersistentVolumeClaimInfo `json:"persistentVolumeClaimInfo,omitempty"`
	// phase is the volume's attach phase, e.g. Bound, AttachedToNode, Ready.
	// +optional
	Phase string `json:"phase,omitempty"`
	// reason is a one-word cause of the phase.
	// +optional
	Reason string `json:"reason,omitempty"`
	// size is the volume's size in bytes.
	// +optional
	Size int64 `json:"size,omitempty"`
	// target is the device name the disk has in the domain, such as vda or sda.
	// +required
	Target string `json:"target"`
}

// VirtualMachineInstanceBackupStatus is the state of a backup.
type VirtualMachineInstanceBackupStatus struct {
	// backupMsg carries details such as a failure reason.
	// +optional
	BackupMsg string `json:"backupMsg,omitempty"`
	// backupName identifies the backup this status belongs to.
	// +optional
	BackupName string `json:"backupName,omitempty"`
	// checkpointName is the disk checkpoint the backup made, the base of the next incremental one.
	// +optional
	CheckpointName string `json:"checkpointName,omitempty"`
	// completed is true when the backup finished.
	// +optional
	Completed bool `json:"completed,omitempty"`
	// endTimestamp is when the backup ended.
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// failed is true when the backup failed.
	// +optional
	Failed bool `json:"failed,omitempty"`
	// quiesceStatus says whether freezing the guest filesystems succeeded, failed or was skipped.
	// +optional
	QuiesceStatus string `json:"quiesceStatus,omitempty"`
	// startTimestamp is when the backup started.
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// volumes names each volume the backup covers.
	// +optional
	// +listType=atomic
	Volumes []VirtualMachineInstanceBackupVolumeInfo `json:"volumes,omitempty"`
}

// InitrdInfo describes an initrd.
type InitrdInfo struct {
	// checksum is a checksum of the initrd.
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// KernelInfo describes a kernel image.
type KernelInfo struct {
	// checksum is a checksum of the kernel image.
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// PersistentVolumeClaimInfo describes a PVC.
type PersistentVolumeClaimInfo struct {
	// accessModes are the claim's access modes, such as ReadWriteMany.
	// +optional
	// +listType=atomic
	AccessModes []string `json:"accessModes,omitempty"`
	// capacity is the capacity in the claim's status.
	// +optional
	Capacity map[string]resource.Quantity `json:"capacity,omitempty"`
	// claimName is the claim's name.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// filesystemOverhead is the fraction of a filesystem volume kept free for filesystem metadata,
	// e.g. "0.055".
	// +optional
	FilesystemOverhead string `json:"filesystemOverhead,omitempty"`
	// preallocated is true when the claim's storage is preallocated.
	// +optional
	Preallocated bool `json:"preallocated,omitempty"`
	// requests are the resources the claim's spec requests.
	// +optional
	Requests map[string]resource.Quantity `json:"requests,omitempty"`
	// volumeMode is Block or Filesystem (the default when unset).
	// +optional
	// +kubebuilder:validation:Enum=Block;Filesystem;FromStorageProfile
	VolumeMode *corev1.PersistentVolumeMode `json:"volumeMode,omitempty"`
}

// VMIMConfigurationOptions is the effective configuration of one migration.
type VMIMConfigurationOptions struct {
	// allowAutoConverge lets QEMU slow the guest's vCPUs so that a busy VM's migration can converge;
	// defaults to false.
	// +optional
	AllowAutoConverge bool `json:"allowAutoConverge,omitempty"`
	// allowPostCopy lets a migration that does not converge switch to post-copy, where the guest runs
	// on the target while memory still arrives; a network failure then loses the VM. Defaults to
	// false.
	// +optional
	AllowPostCopy bool `json:"allowPostCopy,omitempty"`
	// allowWorkloadDisruption lets a migration that exceeds its completion timeout switch to post-copy
	// or pause the guest instead of being cancelled; defaults to false.
	// +optional
	AllowWorkloadDisruption bool `json:"allowWorkloadDisruption,omitempty"`
	// bandwidthPerMigration caps the network bandwidth of one migration, as a quantity per second; 0
	// (default) means no cap.
	// +optional
	BandwidthPerMigration *resource.Quantity `json:"bandwidthPerMigration,omitempty"`
	// completionTimeoutPerGiB is the time a migration may take, in seconds per GiB of guest memory,
	// before it is cancelled (or switched to post-copy when allowed); defaults to 150.
	// +optional
	CompletionTimeoutPerGiB int64 `json:"completionTimeoutPerGiB,omitempty"`
	// disableTLS turns off KubeVirt's own TLS on the migration stream; defaults to false and is rarely
	// a good idea.
	// +optional
	DisableTLS bool `json:"disableTLS,omitempty"`
	// experimental holds alpha migration tuning that may change or disappear.
	// +optional
	Experimental *ExperimentalMigrationOptions `json:"experimental,omitempty"`
	// matchSELinuxLevelOnMigration, when true, lets the container runtime pick the target pod's
	// SELinux level instead of copying the source's; defaults to false.
	// +optional
	MatchSELinuxLevelOnMigration bool `json:"matchSELinuxLevelOnMigration,omitempty"`
	// maxDowntimeMs is the longest pause of the guest, in milliseconds, tolerated at switchover;
	// defaults to 900.
	// +optional
	MaxDowntimeMS int64 `json:"maxDowntimeMs,omitempty"`
	// network names the Multus network migrations travel on; the pod network when empty.
	// +optional
	Network string `json:"network,omitempty"`
	// nodeDrainTaintKey is the taint key that marks a node to be drained; defaults to
	// kubevirt.io/drain.
	// +optional
	NodeDrainTaintKey string `json:"nodeDrainTaintKey,omitempty"`
	// parallelMigrationsPerCluster caps the number of migrations running at once in the cluster;
	// defaults to 5.
	// +optional
	ParallelMigrationsPerCluster int64 `json:"parallelMigrationsPerCluster,omitempty"`
	// parallelOutboundMigrationsPerNode caps the number of migrations leaving one node at once;
	// defaults to 2.
	// +optional
	ParallelOutboundMigrationsPerNode int64 `json:"parallelOutboundMigrationsPerNode,omitempty"`
	// progressTimeout is how long, in seconds, a migration may transfer no data before it is
	// cancelled; defaults to 150.
	// +optional
	ProgressTimeout int64 `json:"progressTimeout,omitempty"`
	// unsafeMigrationOverride allows migrations the safety check would refuse; defaults to false.
	// +optional
	UnsafeMigrationOverride bool `json:"unsafeMigrationOverride,omitempty"`
	// utilityVolumesTimeout is how long, in seconds, a migration may wait in Pending for utility
	// volumes to detach before it fails; defaults to 150.
	// +optional
	UtilityVolumesTimeout int64 `json:"utilityVolumesTimeout,omitempty"`
}

// VirtualMachineInstanceMigrationSourceState is the source side's migration state.
type VirtualMachineInstanceMigrationSourceState struct {
	// domainName is the libvirt domain name on the source.
	// +optional
	DomainName string `json:"domainName,omitempty"`
	// domainNamespace is the namespace part of the source domain name.
	// +optional
	DomainNamespace string `json:"domainNamespace,omitempty"`
	// migrationUID is the UID of the migration object on the source side.
	// +optional
	MigrationUID string `json:"migrationUID,omitempty"`
	// node is the source node.
	// +optional
	Node string `json:"node,omitempty"`
	// nodeSelectors are node labels the target pod must match.
	// +optional
	NodeSelectors map[string]string `json:"nodeSelectors,omitempty"`
	// persistentStatePVCName is the source's PVC of persistent VM state, if any.
	// +optional
	PersistentStatePVCName string `json:"persistentStatePVCName,omitempty"`
	// pod is the source launcher pod.
	// +optional
	Pod string `json:"pod,omitempty"`
	// selinuxContext is the SELinux label the sending pod runs with.
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// syncAddress is the host:port the target uses to synchronize with the source.
	// +optional
	SyncAddress string `json:"syncAddress,omitempty"`
	// virtualMachineInstanceUID is the UID of the sending VMI.
	// +optional
	VirtualMachineInstanceUID string `json:"virtualMachineInstanceUID,omitempty"`
}

// VirtualMachineInstanceMigrationTargetState is the target side's migration state.
type VirtualMachineInstanceMigrationTargetState struct {
	// attachmentPodUID is the UID of the target's hotplug attachment pod.
	// +optional
	AttachmentPodUID string `json:"attachmentPodUID,omitempty"`
	// cpuSet is the set of dedicated host CPUs on the target node.
	// +optional
	// +listType=atomic
	CPUSet []int32 `json:"cpuSet,omitempty"`
	// directMigrationNodePorts maps the ports opened on the target node for migration traffic.
	// +optional
	DirectMigrationNodePorts map[string]int32 `json:"directMigrationNodePorts,omitempty"`
	// domainDetected is true once the target saw the domain start.
	// +optional
	DomainDetected bool `json:"domainDetected,omitempty"`
	// domainName is the libvirt domain name on the target.
	// +optional
	DomainName string `json:"domainName,omitempty"`
	// domainNamespace is the namespace part of the target domain name.
	// +optional
	DomainNamespace string `json:"domainNamespace,omitempty"`
	// domainReadyTimestamp is when the target saw the domain become active.
	// +optional
	DomainReadyTimestamp *metav1.Time `json:"domainReadyTimestamp,omitempty"`
	// migrationUID is the UID of the migration object on the target side.
	// +optional
	MigrationUID string `json:"migrationUID,omitempty"`
	// node is the target node.
	// +optional
	Node string `json:"node,omitempty"`
	// nodeAddress is the address the source sends migration traffic to.
	// +optional
	NodeAddress string `json:"nodeAddress,omitempty"`
	// nodeTopology is the NUMA topology of the target node, for VMs with dedicated CPUs.
	// +optional
	NodeTopology string `json:"nodeTopology,omitempty"`
	// persistentStatePVCName is the target's PVC of persistent VM state, if any.
	// +optional
	PersistentStatePVCName string `json:"persistentStatePVCName,omitempty"`
	// pod is the target launcher pod.
	// +optional
	Pod string `json:"pod,omitempty"`
	// selinuxContext is the SELinux label the receiving pod runs with.
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// syncAddress is the host:port the source uses to synchronize with the target.
	// +optional
	SyncAddress string `json:"syncAddress,omitempty"`
	// virtualMachineInstanceUID is the UID of the receiving VMI.
	// +optional
	VirtualMachineInstanceUID string `json:"virtualMachineInstanceUID,omitempty"`
}

// ContainerDiskInfo describes a containerDisk image.
type ContainerDiskInfo struct {
	// checksum is a checksum of the disk image taken from the container.
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// DomainMemoryDumpInfo describes a memory dump.
type DomainMemoryDumpInfo struct {
	// claimName is the PVC holding the dump.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// endTimestamp is when the dump finished.
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// startTimestamp is when the dump started.
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// targetFileName is the name of the dump file.
	// +optional
	TargetFileName string `json:"targetFileName,omitempty"`
}

// HotplugVolumeStatus describes a hotplugged volume's attachment.
type HotplugVolumeStatus struct {
	// attachPodName is the helper pod that mounts the volume on the VM's node.
	// +optional
	AttachPodName string `json:"attachPodName,omitempty"`
	// attachPodUID is that pod's UID.
	// +optional
	AttachPodUID string `json:"attachPodUID,omitempty"`
}

// VirtualMachineInstanceBackupVolumeInfo is one volume of a backup.
type VirtualMachineInstanceBackupVolumeInfo struct {
	// volumeName is the name of a volume in the backup.
	// +required
	VolumeName string `json:"volumeName"`
}

// ExperimentalMigrationOptions are alpha migration tuning knobs.
type ExperimentalMigrationOptions struct {
	// compression is the compression algorithm of the migration stream; none or empty disables
	// compression.
	// +optional
	Compression string `json:"compression,omitempty"`
	// downtimeTuning raises the allowed downtime step by step as memory copy iterations go by.
	// +optional
	DowntimeTuning *DowntimeTuningOptions `json:"downtimeTuning,omitempty"`
	// stallDetector detects a stalled migration and decides when to force a switchover or give up.
	// +optional
	StallDetector *StallDetectorOptions `json:"stallDetector,omitempty"`
}

// DowntimeTuningOptions raise the allowed downtime as a migration goes on.
type DowntimeTuningOptions struct {
	// cooldownSeconds is the least time, in seconds, between two raises of the allowed downtime;
	// defaults to 10.
	// +optional
	CooldownSeconds int32 `json:"cooldownSeconds,omitempty"`
	// initialMs is the allowed downtime, in milliseconds, at the start of the migration; defaults to
	// 150.
	// +optional
	InitialMS int64 `json:"initialMs,omitempty"`
	// startAfterIteration is how many memory copy passes run before the allowed downtime is first
	// raised; defaults to 3.
	// +optional
	StartAfterIteration int64 `json:"startAfterIteration,omitempty"`
	// steps is how many equal increments lead from initialMs up to the cluster's maxDowntimeMs;
	// defaults to 7.
	// +optional
	Steps int32 `json:"steps,omitempty"`
}

// StallDetectorOptions tune the detection of stalled migrations.
type StallDetectorOptions struct {
	// completionTimeoutFactor scales the completion timeout to give the time budget within which a
	// forced switchover must still be able to finish.
	// +optional
	CompletionTimeoutFactor *resource.Quantity `json:"completionTimeoutFactor,omitempty"`
	// ewmaAlpha is the smoothing factor, in (0, 1], of the moving average of observed bandwidth.
	// +optional
	EwmaAlpha *resource.Quantity `json:"ewmaAlpha,omitempty"`
	// patienceWindowDecayFactor multiplies the patience window after each relaxation step; defaults to
	// 0.5.
	// +optional
	PatienceWindowDecayFactor *resource.Quantity `json:"patienceWindowDecayFactor,omitempty"`
	// precopyPossibleFactor is how far estimated downtime may exceed the maximum while a stop-and-copy
	// is still tried instead of aborting; defaults to 1.5.
	// +optional
	PrecopyPossibleFactor *resource.Quantity `json:"precopyPossibleFactor,omitempty"`
	// searchLocalMinima waits for remaining bytes to reach a local minimum before acting on a stall.
	// +optional
	SearchLocalMinima bool `json:"searchLocalMinima,omitempty"`
	// stallMargin is the tolerance, in percent, when comparing remaining bytes with the best seen to
	// detect a stall.
	// +optional
	StallMargin int64 `json:"stallMargin,omitempty"`
	// stallProgressTimeout is the length, in seconds, of the window used to detect a stall; defaults
	// to 40.
	// +optional
	StallProgressTimeout int64 `json:"stallProgressTimeout,omitempty"`
	// switchoverTimeout is how long, in seconds, a triggered switchover may take before the migration
	// is aborted; defaults to 60.
	// +optional
	SwitchoverTimeout int64 `json:"switchoverTimeout,omitempty"`
}
