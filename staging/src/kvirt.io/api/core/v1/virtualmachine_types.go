package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// VirtualMachine is a virtual machine that the cluster keeps in a desired run state;
// it owns at most one VirtualMachineInstance at a time.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=vm;vms,categories=all
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=".status.printableStatus",description="Human readable status"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachine struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the desired state: the instance template and when it should run.
	// +required
	Spec VirtualMachineSpec `json:"spec"`
	// status is the state observed by the controllers; users do not write it.
	// +optional
	Status VirtualMachineStatus `json:"status,omitempty"`
}

// VirtualMachineList is a list of VirtualMachines.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the VirtualMachines of the list.
	// +required
	Items []VirtualMachine `json:"items"`
}

// VirtualMachineSpec is the desired state of a VirtualMachine.
type VirtualMachineSpec struct {
	// dataVolumeTemplates lists DataVolumes that are created with the VM, owned by it and deleted with
	// it; volumes of the template refer to them by name.
	// +optional
	DataVolumeTemplates []DataVolumeTemplateSpec `json:"dataVolumeTemplates,omitempty"`
	// instancetype names an instancetype whose CPU, memory and device settings are applied to the
	// template; the template must not set the fields it owns.
	// +optional
	Instancetype *InstancetypeMatcher `json:"instancetype,omitempty"`
	// preference names a preference whose values fill fields the template leaves unset.
	// +optional
	Preference *PreferenceMatcher `json:"preference,omitempty"`
	// runStrategy says when an instance should exist: Always (keep one running, recreate it when it
	// ends), RerunOnFailure (restart only after a failure), Manual (only on start/stop requests),
	// Halted (none), Once (start once, never restart) or WaitAsReceiver (wait as the target of a
	// cross-cluster migration). Mutually exclusive with running; one of the two is required.
	// +optional
	// +kubebuilder:validation:Enum=Always;RerunOnFailure;Manual;Halted;Once;WaitAsReceiver
	RunStrategy *VirtualMachineRunStrategy `json:"runStrategy,omitempty"`
	// running is the deprecated boolean form of runStrategy: true means Always, false Halted. Mutually
	// exclusive with runStrategy.
	// +optional
	Running *bool `json:"running,omitempty"`
	// template is the VirtualMachineInstance the VM creates each time it starts; changes take effect
	// at the next start unless they can be applied live.
	// +required
	Template *VirtualMachineInstanceTemplateSpec `json:"template"`
	// updateVolumesStrategy says how a change to the template's volumes reaches a running instance:
	// Replacement (default: at the next restart) or Migration (copy the storage with a live
	// migration).
	// +optional
	UpdateVolumesStrategy string `json:"updateVolumesStrategy,omitempty"`
}

// VirtualMachineStatus is the observed state of a VirtualMachine.
type VirtualMachineStatus struct {
	// changedBlockTracking reports the state of changed block tracking for the VM's disks.
	// +optional
	ChangedBlockTracking *ChangedBlockTrackingStatus `json:"changedBlockTracking,omitempty"`
	// conditions are the VM's conditions (Ready, Failure, Paused, RestartRequired, ...), with the
	// instance's conditions mirrored.
	// +optional
	Conditions []VirtualMachineCondition `json:"conditions,omitempty"`
	// created is true while an instance of this VM exists.
	// +optional
	Created bool `json:"created,omitempty"`
	// desiredGeneration is the VM generation the current instance should reflect; compared with
	// observedGeneration to tell whether the instance is out of date.
	// +optional
	DesiredGeneration int64 `json:"desiredGeneration,omitempty"`
	// instancetypeRef records the instancetype in use and the ControllerRevision that pins its
	// content.
	// +optional
	InstancetypeRef *InstancetypeStatusRef `json:"instancetypeRef,omitempty"`
	// memoryDumpRequest tracks a request to dump guest memory into a PVC.
	// +optional
	MemoryDumpRequest *VirtualMachineMemoryDumpRequest `json:"memoryDumpRequest,omitempty"`
	// observedGeneration is the VM generation the current instance was created from.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// preferenceRef records the preference in use and the ControllerRevision that pins its content.
	// +optional
	PreferenceRef *InstancetypeStatusRef `json:"preferenceRef,omitempty"`
	// printableStatus is the one-word state shown by kubectl get (Stopped, Starting, Running,
	// CrashLoopBackOff, ...).
	// +optional
	PrintableStatus VirtualMachinePrintableStatus `json:"printableStatus,omitempty"`
	// ready is true when the instance runs and reports ready.
	// +optional
	Ready bool `json:"ready,omitempty"`
	// restoreInProgress names the VirtualMachineRestore currently working on this VM, if any.
	// +optional
	RestoreInProgress string `json:"restoreInProgress,omitempty"`
	// runStrategy is the run strategy the controller last acted on, kept so the next change can be
	// judged against it.
	// +optional
	RunStrategy VirtualMachineRunStrategy `json:"runStrategy,omitempty"`
	// snapshotInProgress names the VirtualMachineSnapshot currently being taken of this VM, if any.
	// +optional
	SnapshotInProgress string `json:"snapshotInProgress,omitempty"`
	// startFailure counts consecutive failed starts; while set, the next start waits for
	// retryAfterTimestamp (crash-loop backoff, 10 s up to 300 s).
	// +optional
	StartFailure *VirtualMachineStartFailure `json:"startFailure,omitempty"`
	// stateChangeRequests queues start and stop requests from the subresources; the VM controller
	// carries them out in order and removes them.
	// +optional
	StateChangeRequests []VirtualMachineStateChangeRequest `json:"stateChangeRequests,omitempty"`
	// volumeRequests queues volume hotplug add and remove requests (only with the deprecated
	// HotplugVolumes feature gate).
	// +optional
	// +listType=atomic
	VolumeRequests []VirtualMachineVolumeRequest `json:"volumeRequests,omitempty"`
	// volumeSnapshotStatuses says, per volume, whether it can be snapshotted and why not.
	// +optional
	VolumeSnapshotStatuses []VolumeSnapshotStatus `json:"volumeSnapshotStatuses,omitempty"`
	// volumeUpdateState reports the progress of a volume update made with updateVolumesStrategy
	// Migration.
	// +optional
	VolumeUpdateState *VolumeUpdateState `json:"volumeUpdateState,omitempty"`
}

// DataVolumeTemplateSpec is a DataVolume that the VirtualMachine creates and owns,
// listed in VirtualMachineSpec.dataVolumeTemplates.
type DataVolumeTemplateSpec struct {
	// TypeMeta is carried only because upstream's wire form allows apiVersion and kind here.
	// +optional
	metav1.TypeMeta `json:",inline"`
	// metadata is the metadata of the DataVolume to create; its name is what volumes refer to.
	// +optional
	ObjectMeta metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the spec of the DataVolume to create.
	// +required
	Spec cdiv1beta1.DataVolumeSpec `json:"spec"`
	// status is accepted for compatibility with older clients and ignored.
	// +optional
	Status *DataVolumeTemplateDummyStatus `json:"status,omitempty"`
}

// InstancetypeMatcher points a VirtualMachine at an instancetype.
type InstancetypeMatcher struct {
	// inferFromVolume names a volume whose source (PVC, DataVolume or DataSource) carries the
	// instancetype in its labels; once inferred, the name and kind are filled in and this field is
	// cleared.
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// inferFromVolumeFailurePolicy says what happens when inference fails:
	// RejectInferFromVolumeFailure (default, reject the VM) or IgnoreInferFromVolumeFailure (go on
	// without an instancetype).
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// kind is VirtualMachineClusterInstancetype (default) or VirtualMachineInstancetype (same
	// namespace as the VM).
	// +optional
	Kind string `json:"kind,omitempty"`
	// name is the name of the instancetype.
	// +optional
	Name string `json:"name,omitempty"`
	// revisionName names the ControllerRevision holding the copy of the instancetype this VM uses;
	// filled in by the controller on first use, so later edits to the instancetype do not change the
	// VM.
	// +optional
	RevisionName string `json:"revisionName,omitempty"`
}

// PreferenceMatcher points a VirtualMachine at a preference.
type PreferenceMatcher struct {
	// inferFromVolume names a volume whose source (PVC, DataVolume or DataSource) carries the
	// preference in its labels; once inferred, the name and kind are filled in and this field is
	// cleared.
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// inferFromVolumeFailurePolicy says what happens when inference fails:
	// RejectInferFromVolumeFailure (default, reject the VM) or IgnoreInferFromVolumeFailure (go on
	// without a preference).
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// kind is VirtualMachineClusterPreference (default) or VirtualMachinePreference (same namespace as
	// the VM).
	// +optional
	Kind string `json:"kind,omitempty"`
	// name is the name of the preference.
	// +optional
	Name string `json:"name,omitempty"`
	// revisionName names the ControllerRevision holding the copy of the preference this VM uses;
	// filled in by the controller on first use.
	// +optional
	RevisionName string `json:"revisionName,omitempty"`
}

// VirtualMachineInstanceTemplateSpec is the metadata and spec of VMIs to create.
type VirtualMachineInstanceTemplateSpec struct {
	// metadata holds the labels and annotations given to each instance created from the template.
	// +optional
	ObjectMeta metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the spec of each instance created from the template.
	// +optional
	Spec VirtualMachineInstanceSpec `json:"spec,omitempty"`
}

// InstancetypeStatusRef records the instancetype or preference a VM uses.
type InstancetypeStatusRef struct {
	// controllerRevisionRef names the ControllerRevision that stores the copy in use.
	// +optional
	ControllerRevisionRef *ControllerRevisionRef `json:"controllerRevisionRef,omitempty"`
	// inferFromVolume is the volume the reference was inferred from, if any.
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// inferFromVolumeFailurePolicy is the failure policy that applied to inference.
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// kind is the kind of the referenced object.
	// +optional
	Kind string `json:"kind,omitempty"`
	// name is the name of the referenced object.
	// +optional
	Name string `json:"name,omitempty"`
}

// VirtualMachineCondition is one condition of a VirtualMachine.
type VirtualMachineCondition struct {
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
	// type names the condition, e.g. Ready or RestartRequired.
	// +required
	Type VirtualMachineConditionType `json:"type"`
}

// VirtualMachineMemoryDumpRequest tracks one memory dump into a PVC.
type VirtualMachineMemoryDumpRequest struct {
	// claimName is the PVC that receives the dump.
	// +required
	ClaimName string `json:"claimName"`
	// endTimestamp is when the dump finished.
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// fileName is the name of the dump file inside the PVC.
	// +optional
	FileName string `json:"fileName,omitempty"`
	// message explains a failed dump.
	// +optional
	Message string `json:"message,omitempty"`
	// phase is the dump's progress: Associating, InProgress, Completed, Unmounting, Dissociating or
	// Failed.
	// +required
	Phase string `json:"phase"`
	// remove asks to detach the dump PVC from the VM.
	// +optional
	Remove bool `json:"remove,omitempty"`
	// startTimestamp is when the dump started.
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
}

// VirtualMachineStartFailure tracks failed starts for crash-loop backoff.
type VirtualMachineStartFailure struct {
	// consecutiveFailCount is the number of starts in a row that failed.
	// +optional
	ConsecutiveFailCount int32 `json:"consecutiveFailCount,omitempty"`
	// lastFailedVMIUID is the UID of the instance that failed last.
	// +optional
	LastFailedVMIUID string `json:"lastFailedVMIUID,omitempty"`
	// retryAfterTimestamp is the earliest time the next start is attempted.
	// +optional
	RetryAfterTimestamp *metav1.Time `json:"retryAfterTimestamp,omitempty"`
}

// VirtualMachineStateChangeRequest is one queued start or stop.
type VirtualMachineStateChangeRequest struct {
	// action is Start or Stop.
	// +required
	Action StateChangeRequestAction `json:"action"`
	// data carries extra arguments of the action, such as a paused start.
	// +optional
	Data map[string]string `json:"data,omitempty"`
	// uid is the instance a Stop applies to; an empty UID means whatever instance exists.
	// +optional
	UID string `json:"uid,omitempty"`
}

// VirtualMachineVolumeRequest is one queued volume hotplug or unplug.
type VirtualMachineVolumeRequest struct {
	// addVolumeOptions, when set, asks to add this volume.
	// +optional
	AddVolumeOptions *AddVolumeOptions `json:"addVolumeOptions,omitempty"`
	// removeVolumeOptions, when set, asks to remove this volume.
	// +optional
	RemoveVolumeOptions *RemoveVolumeOptions `json:"removeVolumeOptions,omitempty"`
}

// VolumeSnapshotStatus says whether one volume can be snapshotted.
type VolumeSnapshotStatus struct {
	// enabled is true when the volume can be snapshotted.
	// +required
	Enabled bool `json:"enabled"`
	// name is the volume's name.
	// +required
	Name string `json:"name"`
	// reason says why snapshots are not possible; empty when enabled.
	// +optional
	Reason string `json:"reason,omitempty"`
}

// VolumeUpdateState tracks volume changes made by migration.
type VolumeUpdateState struct {
	// volumeMigrationState lists the volumes being moved by a storage migration.
	// +optional
	VolumeMigrationState *VolumeMigrationState `json:"volumeMigrationState,omitempty"`
}

// DataVolumeTemplateDummyStatus is an empty placeholder kept for wire compatibility.
type DataVolumeTemplateDummyStatus struct {
}

// ControllerRevisionRef names a ControllerRevision.
type ControllerRevisionRef struct {
	// name is the name of the ControllerRevision.
	// +optional
	Name string `json:"name,omitempty"`
}

// AddVolumeOptions describes a volume to hotplug.
type AddVolumeOptions struct {
	// disk is the disk under which the volume appears in the guest.
	// +required
	Disk *Disk `json:"disk"`
	// dryRun, when it holds "All", validates the request without persisting it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// name is the name of the new volume and its disk; it overrides disk.name.
	// +required
	Name string `json:"name"`
	// volumeSource is the PVC or DataVolume to attach.
	// +required
	VolumeSource *HotplugVolumeSource `json:"volumeSource"`
}

// RemoveVolumeOptions names a volume to unplug.
type RemoveVolumeOptions struct {
	// dryRun, when it holds "All", validates the request without persisting it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// name is the volume (and disk) to detach.
	// +required
	Name string `json:"name"`
}

// VolumeMigrationState lists volumes being moved.
type VolumeMigrationState struct {
	// migratedVolumes pairs each moved volume's source and destination claim.
	// +optional
	// +listType=atomic
	MigratedVolumes []StorageMigratedVolumeInfo `json:"migratedVolumes,omitempty"`
}

// HotplugVolumeSource is the storage of a hotplugged volume.
type HotplugVolumeSource struct {
	// dataVolume attaches the PVC of a DataVolume in the same namespace.
	// +optional
	DataVolume *DataVolumeSource `json:"dataVolume,omitempty"`
	// persistentVolumeClaim attaches a PVC in the same namespace.
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
}
