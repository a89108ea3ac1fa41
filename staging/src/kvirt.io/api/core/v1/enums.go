package v1

// VirtualMachineRunStrategy says when a VirtualMachine's instance should exist.
type VirtualMachineRunStrategy string

// The run strategies, with upstream's strings.
const (
	RunStrategyAlways         VirtualMachineRunStrategy = "Always"
	RunStrategyRerunOnFailure VirtualMachineRunStrategy = "RerunOnFailure"
	RunStrategyManual         VirtualMachineRunStrategy = "Manual"
	RunStrategyHalted         VirtualMachineRunStrategy = "Halted"
	RunStrategyOnce           VirtualMachineRunStrategy = "Once"
	RunStrategyWaitAsReceiver VirtualMachineRunStrategy = "WaitAsReceiver"
	// RunStrategyUnknown is reported in status when neither running nor runStrategy is set.
	RunStrategyUnknown VirtualMachineRunStrategy = "Unknown"
)

// VirtualMachinePrintableStatus is the one-word state shown by `kubectl get vm`.
type VirtualMachinePrintableStatus string

// The printable statuses, with upstream's strings.
const (
	VirtualMachineStatusStopped                 VirtualMachinePrintableStatus = "Stopped"
	VirtualMachineStatusProvisioning            VirtualMachinePrintableStatus = "Provisioning"
	VirtualMachineStatusStarting                VirtualMachinePrintableStatus = "Starting"
	VirtualMachineStatusRunning                 VirtualMachinePrintableStatus = "Running"
	VirtualMachineStatusPaused                  VirtualMachinePrintableStatus = "Paused"
	VirtualMachineStatusStopping                VirtualMachinePrintableStatus = "Stopping"
	VirtualMachineStatusTerminating             VirtualMachinePrintableStatus = "Terminating"
	VirtualMachineStatusCrashLoopBackOff        VirtualMachinePrintableStatus = "CrashLoopBackOff"
	VirtualMachineStatusMigrating               VirtualMachinePrintableStatus = "Migrating"
	VirtualMachineStatusUnknown                 VirtualMachinePrintableStatus = "Unknown"
	VirtualMachineStatusUnschedulable           VirtualMachinePrintableStatus = "ErrorUnschedulable"
	VirtualMachineStatusErrImagePull            VirtualMachinePrintableStatus = "ErrImagePull"
	VirtualMachineStatusImagePullBackOff        VirtualMachinePrintableStatus = "ImagePullBackOff"
	VirtualMachineStatusPvcNotFound             VirtualMachinePrintableStatus = "ErrorPvcNotFound"
	VirtualMachineStatusDataVolumeError         VirtualMachinePrintableStatus = "DataVolumeError"
	VirtualMachineStatusWaitingForVolumeBinding VirtualMachinePrintableStatus = "WaitingForVolumeBinding"
	VirtualMachineStatusWaitingForReceiver      VirtualMachinePrintableStatus = "WaitingForReceiver"
)

// VirtualMachineConditionType names a condition of a VirtualMachine.
type VirtualMachineConditionType string

// The VirtualMachine condition types.
const (
	VirtualMachineReady                  VirtualMachineConditionType = "Ready"
	VirtualMachineFailure                VirtualMachineConditionType = "Failure"
	VirtualMachinePaused                 VirtualMachineConditionType = "Paused"
	VirtualMachineRestartRequired        VirtualMachineConditionType = "RestartRequired"
	VirtualMachineManualRecoveryRequired VirtualMachineConditionType = "ManualRecoveryRequired"
)

// StateChangeRequestAction is what a start/stop/restart subresource asks of the VM controller.
type StateChangeRequestAction string

// The state change actions.
const (
	StartRequest StateChangeRequestAction = "Start"
	StopRequest  StateChangeRequestAction = "Stop"
)

// VirtualMachineInstancePhase is the coarse lifecycle state of a VirtualMachineInstance.
type VirtualMachineInstancePhase string

// The VMI phases, with upstream's strings.
const (
	VmPhaseUnset   VirtualMachineInstancePhase = ""
	Pending        VirtualMachineInstancePhase = "Pending"
	Scheduling     VirtualMachineInstancePhase = "Scheduling"
	Scheduled      VirtualMachineInstancePhase = "Scheduled"
	Running        VirtualMachineInstancePhase = "Running"
	Succeeded      VirtualMachineInstancePhase = "Succeeded"
	Failed         VirtualMachineInstancePhase = "Failed"
	Unknown        VirtualMachineInstancePhase = "Unknown"
	WaitingForSync VirtualMachineInstancePhase = "WaitingForSync"
)

// NodeUnresponsiveReason is a Failed VMI's status.reason when virt-handler on
// its node stopped sending heartbeats and the node went NotReady (upstream's
// string).
const NodeUnresponsiveReason = "NodeUnresponsive"

// IsFinal reports whether a VMI in this phase will never run again.
func (p VirtualMachineInstancePhase) IsFinal() bool {
	return p == Succeeded || p == Failed
}

// VirtualMachineInstanceConditionType names a condition of a VirtualMachineInstance.
type VirtualMachineInstanceConditionType string

// The VMI condition types.
const (
	VirtualMachineInstanceProvisioning                  VirtualMachineInstanceConditionType = "Provisioning"
	VirtualMachineInstanceReady                         VirtualMachineInstanceConditionType = "Ready"
	VirtualMachineInstanceSynchronized                  VirtualMachineInstanceConditionType = "Synchronized"
	VirtualMachineInstancePaused                        VirtualMachineInstanceConditionType = "Paused"
	VirtualMachineInstanceAgentConnected                VirtualMachineInstanceConditionType = "AgentConnected"
	VirtualMachineInstanceAccessCredentialsSynchronized VirtualMachineInstanceConditionType = "AccessCredentialsSynchronized"
	VirtualMachineInstanceUnsupportedAgent              VirtualMachineInstanceConditionType = "AgentVersionNotSupported"
	VirtualMachineInstanceIsMigratable                  VirtualMachineInstanceConditionType = "LiveMigratable"
	VirtualMachineInstanceIsStorageLiveMigratable       VirtualMachineInstanceConditionType = "StorageLiveMigratable"
	VirtualMachineInstanceVCPUChange                    VirtualMachineInstanceConditionType = "HotVCPUChange"
	VirtualMachineInstanceMemoryChange                  VirtualMachineInstanceConditionType = "HotMemoryChange"
	VirtualMachineInstanceVolumesChange                 VirtualMachineInstanceConditionType = "VolumesChange"
	VirtualMachineInstanceDataVolumesReady              VirtualMachineInstanceConditionType = "DataVolumesReady"
	VirtualMachineInstanceMigrationRequired             VirtualMachineInstanceConditionType = "MigrationRequired"
	VirtualMachineInstanceEvictionRequested             VirtualMachineInstanceConditionType = "EvictionRequested"
	VirtualMachineInstanceSoftwareEmulation             VirtualMachineInstanceConditionType = "SoftwareEmulation"
	VirtualMachineInstancePodScheduled                  VirtualMachineInstanceConditionType = "PodScheduled"
)

// EvictionStrategy says what happens to a VMI when its node is drained.
type EvictionStrategy string

// The eviction strategies.
const (
	EvictionStrategyNone                  EvictionStrategy = "None"
	EvictionStrategyLiveMigrate           EvictionStrategy = "LiveMigrate"
	EvictionStrategyLiveMigrateIfPossible EvictionStrategy = "LiveMigrateIfPossible"
	EvictionStrategyExternal              EvictionStrategy = "External"
)

// StartStrategy says how a VMI is started.
type StartStrategy string

// StartStrategyPaused starts the domain paused.
const StartStrategyPaused StartStrategy = "Paused"

// A Start state change request whose data holds StartRequestDataPausedKey set
// to StartRequestDataPausedTrue starts the VMI paused (virtctl start --paused).
const (
	StartRequestDataPausedKey  = "paused"
	StartRequestDataPausedTrue = "true"
)

// DiskBus is the bus a disk, cdrom or lun is attached to.
type DiskBus string

// The disk buses.
const (
	DiskBusVirtio DiskBus = "virtio"
	DiskBusSATA   DiskBus = "sata"
	DiskBusSCSI   DiskBus = "scsi"
	DiskBusUSB    DiskBus = "usb"
)

// VirtualMachineInstanceMigrationPhase is the lifecycle state of a migration.
type VirtualMachineInstanceMigrationPhase string

// The migration phases.
const (
	MigrationPhaseUnset      VirtualMachineInstanceMigrationPhase = ""
	MigrationPending         VirtualMachineInstanceMigrationPhase = "Pending"
	MigrationScheduling      VirtualMachineInstanceMigrationPhase = "Scheduling"
	MigrationScheduled       VirtualMachineInstanceMigrationPhase = "Scheduled"
	MigrationPreparingTarget VirtualMachineInstanceMigrationPhase = "PreparingTarget"
	MigrationTargetReady     VirtualMachineInstanceMigrationPhase = "TargetReady"
	MigrationRunning         VirtualMachineInstanceMigrationPhase = "Running"
	MigrationSucceeded       VirtualMachineInstanceMigrationPhase = "Succeeded"
	MigrationFailed          VirtualMachineInstanceMigrationPhase = "Failed"
	MigrationWaitingForSync  VirtualMachineInstanceMigrationPhase = "WaitingForSync"
	MigrationSynchronizing   VirtualMachineInstanceMigrationPhase = "Synchronizing"
)

// VirtualMachineInstanceMigrationConditionType names a condition of a migration.
type VirtualMachineInstanceMigrationConditionType string

// The migration condition types.
const (
	VirtualMachineInstanceMigrationAbortRequested          VirtualMachineInstanceMigrationConditionType = "migrationAbortRequested"
	VirtualMachineInstanceMigrationRejectedByResourceQuota VirtualMachineInstanceMigrationConditionType = "migrationRejectedByResourceQuota"
)

// VirtualMachineInstanceMigrationMethod says how the VMI's storage travels in a migration.
type VirtualMachineInstanceMigrationMethod string

// The migration methods.
const (
	BlockMigration VirtualMachineInstanceMigrationMethod = "BlockMigration"
	LiveMigration  VirtualMachineInstanceMigrationMethod = "LiveMigration"
)

// MigrationMode is the memory transfer mode of a running migration.
type MigrationMode string

// The migration modes.
const (
	MigrationPreCopy  MigrationMode = "PreCopy"
	MigrationPostCopy MigrationMode = "PostCopy"
)

// VirtualMachineInstanceReplicaSetConditionType names a condition of a replica set.
type VirtualMachineInstanceReplicaSetConditionType string

// The replica set condition types.
const (
	VirtualMachineInstanceReplicaSetReplicaFailure VirtualMachineInstanceReplicaSetConditionType = "ReplicaFailure"
	VirtualMachineInstanceReplicaSetReplicaPaused  VirtualMachineInstanceReplicaSetConditionType = "ReplicaPaused"
)

// KubeVirtPhase is the install state of the add-on.
type KubeVirtPhase string

// The KubeVirt phases.
const (
	KubeVirtPhaseUnset     KubeVirtPhase = ""
	KubeVirtPhaseDeploying KubeVirtPhase = "Deploying"
	KubeVirtPhaseDeployed  KubeVirtPhase = "Deployed"
	KubeVirtPhaseDeleting  KubeVirtPhase = "Deleting"
	KubeVirtPhaseDeleted   KubeVirtPhase = "Deleted"
)

// KubeVirtConditionType names a condition of the KubeVirt CR.
type KubeVirtConditionType string

// The KubeVirt condition types.
const (
	KubeVirtConditionAvailable    KubeVirtConditionType = "Available"
	KubeVirtConditionProgressing  KubeVirtConditionType = "Progressing"
	KubeVirtConditionDegraded     KubeVirtConditionType = "Degraded"
	KubeVirtConditionCreated      KubeVirtConditionType = "Created"
	KubeVirtConditionSynchronized KubeVirtConditionType = "Synchronized"
)
