package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstanceStatus is the type of VirtualMachineInstance.status.
type VirtualMachineInstanceStatus struct {
	// +optional
	VSOCKCID int64 `json:"VSOCKCID,omitempty"`
	// +optional
	ActivePods map[string]string `json:"activePods,omitempty"`
	// +optional
	ChangedBlockTracking *ChangedBlockTrackingStatus `json:"changedBlockTracking,omitempty"`
	// +optional
	Conditions []VirtualMachineInstanceCondition `json:"conditions,omitempty"`
	// +optional
	CurrentCPUTopology *CPUTopology `json:"currentCPUTopology,omitempty"`
	// +optional
	EvacuationNodeName string `json:"evacuationNodeName,omitempty"`
	// +optional
	FsFreezeStatus string `json:"fsFreezeStatus,omitempty"`
	// +optional
	GuestOSInfo VirtualMachineInstanceGuestOSInfo `json:"guestOSInfo,omitempty"`
	// +optional
	Interfaces []VirtualMachineInstanceNetworkInterface `json:"interfaces,omitempty"`
	// +optional
	KernelBootStatus *KernelBootStatus `json:"kernelBootStatus,omitempty"`
	// +optional
	LauncherContainerImageVersion string `json:"launcherContainerImageVersion,omitempty"`
	// +optional
	Machine *Machine `json:"machine,omitempty"`
	// +optional
	Memory *MemoryStatus `json:"memory,omitempty"`
	// +optional
	// +listType=atomic
	MigratedVolumes []StorageMigratedVolumeInfo `json:"migratedVolumes,omitempty"`
	// +optional
	MigrationMethod VirtualMachineInstanceMigrationMethod `json:"migrationMethod,omitempty"`
	// +optional
	MigrationState *VirtualMachineInstanceMigrationState `json:"migrationState,omitempty"`
	// +optional
	MigrationTransport string `json:"migrationTransport,omitempty"`
	// +optional
	NodeName string `json:"nodeName,omitempty"`
	// +optional
	Phase VirtualMachineInstancePhase `json:"phase,omitempty"`
	// +optional
	// +listType=atomic
	PhaseTransitionTimestamps []VirtualMachineInstancePhaseTransitionTimestamp `json:"phaseTransitionTimestamps,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=BestEffort;Burstable;Guaranteed
	QosClass *corev1.PodQOSClass `json:"qosClass,omitempty"`
	// +optional
	Reason string `json:"reason,omitempty"`
	// +optional
	RuntimeUser int64 `json:"runtimeUser,omitempty"`
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// +optional
	TopologyHints *TopologyHints `json:"topologyHints,omitempty"`
	// +optional
	VirtualMachineRevisionName string `json:"virtualMachineRevisionName,omitempty"`
	// +optional
	// +listType=atomic
	VolumeStatus []VolumeStatus `json:"volumeStatus,omitempty"`
}

// CPUTopology is the type of VirtualMachineInstanceStatus.currentCPUTopology.
type CPUTopology struct {
	// +optional
	Cores int64 `json:"cores,omitempty"`
	// +optional
	Sockets int64 `json:"sockets,omitempty"`
	// +optional
	Threads int64 `json:"threads,omitempty"`
}

// ChangedBlockTrackingStatus is the type of VirtualMachineInstanceStatus.changedBlockTracking.
type ChangedBlockTrackingStatus struct {
	// +optional
	BackupStatus *VirtualMachineInstanceBackupStatus `json:"backupStatus,omitempty"`
	// +required
	State string `json:"state"`
}

// KernelBootStatus is the type of VirtualMachineInstanceStatus.kernelBootStatus.
type KernelBootStatus struct {
	// +optional
	InitrdInfo *InitrdInfo `json:"initrdInfo,omitempty"`
	// +optional
	KernelInfo *KernelInfo `json:"kernelInfo,omitempty"`
}

// MemoryStatus is the type of VirtualMachineInstanceStatus.memory.
type MemoryStatus struct {
	// +optional
	GuestAtBoot *resource.Quantity `json:"guestAtBoot,omitempty"`
	// +optional
	GuestCurrent *resource.Quantity `json:"guestCurrent,omitempty"`
	// +optional
	GuestRequested *resource.Quantity `json:"guestRequested,omitempty"`
	// +optional
	MemoryOverhead *resource.Quantity `json:"memoryOverhead,omitempty"`
}

// StorageMigratedVolumeInfo is the type of VirtualMachineInstanceStatus.migratedVolumes.
type StorageMigratedVolumeInfo struct {
	// +optional
	DestinationPVCInfo *PersistentVolumeClaimInfo `json:"destinationPVCInfo,omitempty"`
	// +optional
	SourcePVCInfo *PersistentVolumeClaimInfo `json:"sourcePVCInfo,omitempty"`
	// +required
	VolumeName string `json:"volumeName"`
}

// TopologyHints is the type of VirtualMachineInstanceStatus.topologyHints.
type TopologyHints struct {
	// +optional
	TSCFrequency int64 `json:"tscFrequency,omitempty"`
}

// VirtualMachineInstanceCondition is the type of VirtualMachineInstanceStatus.conditions.
type VirtualMachineInstanceCondition struct {
	// +required
	Status string `json:"status"`
	// +optional
	// +nullable
	LastProbeTime metav1.Time `json:"lastProbeTime,omitempty"`
	// +optional
	// +nullable
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
	// +optional
	Reason string `json:"reason,omitempty"`
	// +required
	Type VirtualMachineInstanceConditionType `json:"type"`
}

// VirtualMachineInstanceGuestOSInfo is the type of VirtualMachineInstanceGuestAgentInfo.os.
type VirtualMachineInstanceGuestOSInfo struct {
	// +optional
	ID string `json:"id,omitempty"`
	// +optional
	KernelRelease string `json:"kernelRelease,omitempty"`
	// +optional
	KernelVersion string `json:"kernelVersion,omitempty"`
	// +optional
	Machine string `json:"machine,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	PrettyName string `json:"prettyName,omitempty"`
	// +optional
	Version string `json:"version,omitempty"`
	// +optional
	VersionID string `json:"versionId,omitempty"`
}

// VirtualMachineInstanceMigrationState is the type of VirtualMachineInstanceMigrationStatus.migrationState.
type VirtualMachineInstanceMigrationState struct {
	// +optional
	AbortRequested bool `json:"abortRequested,omitempty"`
	// +optional
	AbortStatus string `json:"abortStatus,omitempty"`
	// +optional
	Completed bool `json:"completed,omitempty"`
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// +optional
	Failed bool `json:"failed,omitempty"`
	// +optional
	FailureReason string `json:"failureReason,omitempty"`
	// +optional
	MigrationConfiguration *VMIMConfigurationOptions `json:"migrationConfiguration,omitempty"`
	// +optional
	MigrationNetworkType string `json:"migrationNetworkType,omitempty"`
	// +optional
	MigrationPolicyName string `json:"migrationPolicyName,omitempty"`
	// +optional
	MigrationUID string `json:"migrationUid,omitempty"`
	// +optional
	Mode MigrationMode `json:"mode,omitempty"`
	// +optional
	SourceNode string `json:"sourceNode,omitempty"`
	// +optional
	SourcePersistentStatePVCName string `json:"sourcePersistentStatePVCName,omitempty"`
	// +optional
	SourcePod string `json:"sourcePod,omitempty"`
	// +optional
	SourceState *VirtualMachineInstanceMigrationSourceState `json:"sourceState,omitempty"`
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// +optional
	TargetAttachmentPodUID string `json:"targetAttachmentPodUID,omitempty"`
	// +optional
	// +listType=atomic
	TargetCPUSet []int32 `json:"targetCPUSet,omitempty"`
	// +optional
	TargetDirectMigrationNodePorts map[string]int32 `json:"targetDirectMigrationNodePorts,omitempty"`
	// +optional
	TargetMemoryOverhead *resource.Quantity `json:"targetMemoryOverhead,omitempty"`
	// +optional
	TargetNode string `json:"targetNode,omitempty"`
	// +optional
	TargetNodeAddress string `json:"targetNodeAddress,omitempty"`
	// +optional
	TargetNodeDomainDetected bool `json:"targetNodeDomainDetected,omitempty"`
	// +optional
	TargetNodeDomainReadyTimestamp *metav1.Time `json:"targetNodeDomainReadyTimestamp,omitempty"`
	// +optional
	TargetNodeTopology string `json:"targetNodeTopology,omitempty"`
	// +optional
	TargetPersistentStatePVCName string `json:"targetPersistentStatePVCName,omitempty"`
	// +optional
	TargetPod string `json:"targetPod,omitempty"`
	// +optional
	TargetState *VirtualMachineInstanceMigrationTargetState `json:"targetState,omitempty"`
}

// VirtualMachineInstanceNetworkInterface is the type of VirtualMachineInstanceStatus.interfaces.
type VirtualMachineInstanceNetworkInterface struct {
	// +optional
	InfoSource string `json:"infoSource,omitempty"`
	// +optional
	InterfaceName string `json:"interfaceName,omitempty"`
	// +optional
	IPAddress string `json:"ipAddress,omitempty"`
	// +optional
	IPAddresses []string `json:"ipAddresses,omitempty"`
	// +optional
	LinkState string `json:"linkState,omitempty"`
	// +optional
	MAC string `json:"mac,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	PodInterfaceName string `json:"podInterfaceName,omitempty"`
	// +optional
	QueueCount int32 `json:"queueCount,omitempty"`
}

// VirtualMachineInstancePhaseTransitionTimestamp is the type of VirtualMachineInstanceStatus.phaseTransitionTimestamps.
type VirtualMachineInstancePhaseTransitionTimestamp struct {
	// +optional
	Phase VirtualMachineInstancePhase `json:"phase,omitempty"`
	// +optional
	PhaseTransitionTimestamp *metav1.Time `json:"phaseTransitionTimestamp,omitempty"`
}

// VolumeStatus is the type of VirtualMachineInstanceStatus.volumeStatus.
type VolumeStatus struct {
	// +optional
	ContainerDiskVolume *ContainerDiskInfo `json:"containerDiskVolume,omitempty"`
	// +optional
	HotplugVolume *HotplugVolumeStatus `json:"hotplugVolume,omitempty"`
	// +optional
	MemoryDumpVolume *DomainMemoryDumpInfo `json:"memoryDumpVolume,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	PersistentVolumeClaimInfo *PersistentVolumeClaimInfo `json:"persistentVolumeClaimInfo,omitempty"`
	// +optional
	Phase string `json:"phase,omitempty"`
	// +optional
	Reason string `json:"reason,omitempty"`
	// +optional
	Size int64 `json:"size,omitempty"`
	// +required
	Target string `json:"target"`
}

// VirtualMachineInstanceBackupStatus is the type of ChangedBlockTrackingStatus.backupStatus.
type VirtualMachineInstanceBackupStatus struct {
	// +optional
	BackupMsg string `json:"backupMsg,omitempty"`
	// +optional
	BackupName string `json:"backupName,omitempty"`
	// +optional
	CheckpointName string `json:"checkpointName,omitempty"`
	// +optional
	Completed bool `json:"completed,omitempty"`
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// +optional
	Failed bool `json:"failed,omitempty"`
	// +optional
	QuiesceStatus string `json:"quiesceStatus,omitempty"`
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// +optional
	// +listType=atomic
	Volumes []VirtualMachineInstanceBackupVolumeInfo `json:"volumes,omitempty"`
}

// InitrdInfo is the type of KernelBootStatus.initrdInfo.
type InitrdInfo struct {
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// KernelInfo is the type of KernelBootStatus.kernelInfo.
type KernelInfo struct {
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// PersistentVolumeClaimInfo is the type of StorageMigratedVolumeInfo.destinationPVCInfo.
type PersistentVolumeClaimInfo struct {
	// +optional
	// +listType=atomic
	AccessModes []string `json:"accessModes,omitempty"`
	// +optional
	Capacity map[string]resource.Quantity `json:"capacity,omitempty"`
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// +optional
	FilesystemOverhead string `json:"filesystemOverhead,omitempty"`
	// +optional
	Preallocated bool `json:"preallocated,omitempty"`
	// +optional
	Requests map[string]resource.Quantity `json:"requests,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Block;Filesystem;FromStorageProfile
	VolumeMode *corev1.PersistentVolumeMode `json:"volumeMode,omitempty"`
}

// VMIMConfigurationOptions is the type of VirtualMachineInstanceMigrationState.migrationConfiguration.
type VMIMConfigurationOptions struct {
	// +optional
	AllowAutoConverge bool `json:"allowAutoConverge,omitempty"`
	// +optional
	AllowPostCopy bool `json:"allowPostCopy,omitempty"`
	// +optional
	AllowWorkloadDisruption bool `json:"allowWorkloadDisruption,omitempty"`
	// +optional
	BandwidthPerMigration *resource.Quantity `json:"bandwidthPerMigration,omitempty"`
	// +optional
	CompletionTimeoutPerGiB int64 `json:"completionTimeoutPerGiB,omitempty"`
	// +optional
	DisableTLS bool `json:"disableTLS,omitempty"`
	// +optional
	Experimental *ExperimentalMigrationOptions `json:"experimental,omitempty"`
	// +optional
	MatchSELinuxLevelOnMigration bool `json:"matchSELinuxLevelOnMigration,omitempty"`
	// +optional
	MaxDowntimeMS int64 `json:"maxDowntimeMs,omitempty"`
	// +optional
	Network string `json:"network,omitempty"`
	// +optional
	NodeDrainTaintKey string `json:"nodeDrainTaintKey,omitempty"`
	// +optional
	ParallelMigrationsPerCluster int64 `json:"parallelMigrationsPerCluster,omitempty"`
	// +optional
	ParallelOutboundMigrationsPerNode int64 `json:"parallelOutboundMigrationsPerNode,omitempty"`
	// +optional
	ProgressTimeout int64 `json:"progressTimeout,omitempty"`
	// +optional
	UnsafeMigrationOverride bool `json:"unsafeMigrationOverride,omitempty"`
	// +optional
	UtilityVolumesTimeout int64 `json:"utilityVolumesTimeout,omitempty"`
}

// VirtualMachineInstanceMigrationSourceState is the type of VirtualMachineInstanceMigrationState.sourceState.
type VirtualMachineInstanceMigrationSourceState struct {
	// +optional
	DomainName string `json:"domainName,omitempty"`
	// +optional
	DomainNamespace string `json:"domainNamespace,omitempty"`
	// +optional
	MigrationUID string `json:"migrationUID,omitempty"`
	// +optional
	Node string `json:"node,omitempty"`
	// +optional
	NodeSelectors map[string]string `json:"nodeSelectors,omitempty"`
	// +optional
	PersistentStatePVCName string `json:"persistentStatePVCName,omitempty"`
	// +optional
	Pod string `json:"pod,omitempty"`
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// +optional
	SyncAddress string `json:"syncAddress,omitempty"`
	// +optional
	VirtualMachineInstanceUID string `json:"virtualMachineInstanceUID,omitempty"`
}

// VirtualMachineInstanceMigrationTargetState is the type of VirtualMachineInstanceMigrationState.targetState.
type VirtualMachineInstanceMigrationTargetState struct {
	// +optional
	AttachmentPodUID string `json:"attachmentPodUID,omitempty"`
	// +optional
	// +listType=atomic
	CPUSet []int32 `json:"cpuSet,omitempty"`
	// +optional
	DirectMigrationNodePorts map[string]int32 `json:"directMigrationNodePorts,omitempty"`
	// +optional
	DomainDetected bool `json:"domainDetected,omitempty"`
	// +optional
	DomainName string `json:"domainName,omitempty"`
	// +optional
	DomainNamespace string `json:"domainNamespace,omitempty"`
	// +optional
	DomainReadyTimestamp *metav1.Time `json:"domainReadyTimestamp,omitempty"`
	// +optional
	MigrationUID string `json:"migrationUID,omitempty"`
	// +optional
	Node string `json:"node,omitempty"`
	// +optional
	NodeAddress string `json:"nodeAddress,omitempty"`
	// +optional
	NodeTopology string `json:"nodeTopology,omitempty"`
	// +optional
	PersistentStatePVCName string `json:"persistentStatePVCName,omitempty"`
	// +optional
	Pod string `json:"pod,omitempty"`
	// +optional
	SelinuxContext string `json:"selinuxContext,omitempty"`
	// +optional
	SyncAddress string `json:"syncAddress,omitempty"`
	// +optional
	VirtualMachineInstanceUID string `json:"virtualMachineInstanceUID,omitempty"`
}

// ContainerDiskInfo is the type of VolumeStatus.containerDiskVolume.
type ContainerDiskInfo struct {
	// +optional
	Checksum int64 `json:"checksum,omitempty"`
}

// DomainMemoryDumpInfo is the type of VolumeStatus.memoryDumpVolume.
type DomainMemoryDumpInfo struct {
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// +optional
	TargetFileName string `json:"targetFileName,omitempty"`
}

// HotplugVolumeStatus is the type of VolumeStatus.hotplugVolume.
type HotplugVolumeStatus struct {
	// +optional
	AttachPodName string `json:"attachPodName,omitempty"`
	// +optional
	AttachPodUID string `json:"attachPodUID,omitempty"`
}

// VirtualMachineInstanceBackupVolumeInfo is the type of VirtualMachineInstanceBackupStatus.volumes.
type VirtualMachineInstanceBackupVolumeInfo struct {
	// +required
	VolumeName string `json:"volumeName"`
}

// ExperimentalMigrationOptions is the type of VMIMConfigurationOptions.experimental.
type ExperimentalMigrationOptions struct {
	// +optional
	Compression string `json:"compression,omitempty"`
	// +optional
	DowntimeTuning *DowntimeTuningOptions `json:"downtimeTuning,omitempty"`
	// +optional
	StallDetector *StallDetectorOptions `json:"stallDetector,omitempty"`
}

// DowntimeTuningOptions is the type of ExperimentalMigrationOptions.downtimeTuning.
type DowntimeTuningOptions struct {
	// +optional
	CooldownSeconds int32 `json:"cooldownSeconds,omitempty"`
	// +optional
	InitialMS int64 `json:"initialMs,omitempty"`
	// +optional
	StartAfterIteration int64 `json:"startAfterIteration,omitempty"`
	// +optional
	Steps int32 `json:"steps,omitempty"`
}

// StallDetectorOptions is the type of ExperimentalMigrationOptions.stallDetector.
type StallDetectorOptions struct {
	// +optional
	CompletionTimeoutFactor *resource.Quantity `json:"completionTimeoutFactor,omitempty"`
	// +optional
	EwmaAlpha *resource.Quantity `json:"ewmaAlpha,omitempty"`
	// +optional
	PatienceWindowDecayFactor *resource.Quantity `json:"patienceWindowDecayFactor,omitempty"`
	// +optional
	PrecopyPossibleFactor *resource.Quantity `json:"precopyPossibleFactor,omitempty"`
	// +optional
	SearchLocalMinima bool `json:"searchLocalMinima,omitempty"`
	// +optional
	StallMargin int64 `json:"stallMargin,omitempty"`
	// +optional
	StallProgressTimeout int64 `json:"stallProgressTimeout,omitempty"`
	// +optional
	SwitchoverTimeout int64 `json:"switchoverTimeout,omitempty"`
}
