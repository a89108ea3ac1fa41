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
	// +required
	Spec VirtualMachineSpec `json:"spec"`
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
	// +required
	Items []VirtualMachine `json:"items"`
}

// VirtualMachineSpec is the type of VirtualMachine.spec.
type VirtualMachineSpec struct {
	// +optional
	DataVolumeTemplates []DataVolumeTemplateSpec `json:"dataVolumeTemplates,omitempty"`
	// +optional
	Instancetype *InstancetypeMatcher `json:"instancetype,omitempty"`
	// +optional
	Preference *PreferenceMatcher `json:"preference,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Always;RerunOnFailure;Manual;Halted;Once;WaitAsReceiver
	RunStrategy *VirtualMachineRunStrategy `json:"runStrategy,omitempty"`
	// +optional
	Running *bool `json:"running,omitempty"`
	// +required
	Template *VirtualMachineInstanceTemplateSpec `json:"template"`
	// +optional
	UpdateVolumesStrategy string `json:"updateVolumesStrategy,omitempty"`
}

// VirtualMachineStatus is the type of VirtualMachine.status.
type VirtualMachineStatus struct {
	// +optional
	ChangedBlockTracking *ChangedBlockTrackingStatus `json:"changedBlockTracking,omitempty"`
	// +optional
	Conditions []VirtualMachineCondition `json:"conditions,omitempty"`
	// +optional
	Created bool `json:"created,omitempty"`
	// +optional
	DesiredGeneration int64 `json:"desiredGeneration,omitempty"`
	// +optional
	InstancetypeRef *InstancetypeStatusRef `json:"instancetypeRef,omitempty"`
	// +optional
	MemoryDumpRequest *VirtualMachineMemoryDumpRequest `json:"memoryDumpRequest,omitempty"`
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	PreferenceRef *InstancetypeStatusRef `json:"preferenceRef,omitempty"`
	// +optional
	PrintableStatus VirtualMachinePrintableStatus `json:"printableStatus,omitempty"`
	// +optional
	Ready bool `json:"ready,omitempty"`
	// +optional
	RestoreInProgress string `json:"restoreInProgress,omitempty"`
	// +optional
	RunStrategy VirtualMachineRunStrategy `json:"runStrategy,omitempty"`
	// +optional
	SnapshotInProgress string `json:"snapshotInProgress,omitempty"`
	// +optional
	StartFailure *VirtualMachineStartFailure `json:"startFailure,omitempty"`
	// +optional
	StateChangeRequests []VirtualMachineStateChangeRequest `json:"stateChangeRequests,omitempty"`
	// +optional
	// +listType=atomic
	VolumeRequests []VirtualMachineVolumeRequest `json:"volumeRequests,omitempty"`
	// +optional
	VolumeSnapshotStatuses []VolumeSnapshotStatus `json:"volumeSnapshotStatuses,omitempty"`
	// +optional
	VolumeUpdateState *VolumeUpdateState `json:"volumeUpdateState,omitempty"`
}

// DataVolumeTemplateSpec is a DataVolume that the VirtualMachine creates and owns,
// listed in VirtualMachineSpec.dataVolumeTemplates.
type DataVolumeTemplateSpec struct {
	// TypeMeta is carried only because upstream's wire form allows apiVersion and kind here.
	// +optional
	metav1.TypeMeta `json:",inline"`
	// +optional
	ObjectMeta metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec cdiv1beta1.DataVolumeSpec `json:"spec"`
	// +optional
	Status *DataVolumeTemplateDummyStatus `json:"status,omitempty"`
}

// InstancetypeMatcher is the type of VirtualMachineSpec.instancetype.
type InstancetypeMatcher struct {
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	RevisionName string `json:"revisionName,omitempty"`
}

// PreferenceMatcher is the type of VirtualMachineSpec.preference.
type PreferenceMatcher struct {
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	RevisionName string `json:"revisionName,omitempty"`
}

// VirtualMachineInstanceTemplateSpec is the type of VirtualMachineInstanceReplicaSetSpec.template.
type VirtualMachineInstanceTemplateSpec struct {
	// +optional
	ObjectMeta metav1.ObjectMeta `json:"metadata,omitempty"`
	// +optional
	Spec VirtualMachineInstanceSpec `json:"spec,omitempty"`
}

// InstancetypeStatusRef is the type of VirtualMachineStatus.instancetypeRef.
type InstancetypeStatusRef struct {
	// +optional
	ControllerRevisionRef *ControllerRevisionRef `json:"controllerRevisionRef,omitempty"`
	// +optional
	InferFromVolume string `json:"inferFromVolume,omitempty"`
	// +optional
	InferFromVolumeFailurePolicy string `json:"inferFromVolumeFailurePolicy,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
}

// VirtualMachineCondition is the type of VirtualMachineStatus.conditions.
type VirtualMachineCondition struct {
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
	Type VirtualMachineConditionType `json:"type"`
}

// VirtualMachineMemoryDumpRequest is the type of VirtualMachineStatus.memoryDumpRequest.
type VirtualMachineMemoryDumpRequest struct {
	// +required
	ClaimName string `json:"claimName"`
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// +optional
	FileName string `json:"fileName,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
	// +required
	Phase string `json:"phase"`
	// +optional
	Remove bool `json:"remove,omitempty"`
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
}

// VirtualMachineStartFailure is the type of VirtualMachineStatus.startFailure.
type VirtualMachineStartFailure struct {
	// +optional
	ConsecutiveFailCount int32 `json:"consecutiveFailCount,omitempty"`
	// +optional
	LastFailedVMIUID string `json:"lastFailedVMIUID,omitempty"`
	// +optional
	RetryAfterTimestamp *metav1.Time `json:"retryAfterTimestamp,omitempty"`
}

// VirtualMachineStateChangeRequest is the type of VirtualMachineStatus.stateChangeRequests.
type VirtualMachineStateChangeRequest struct {
	// +required
	Action StateChangeRequestAction `json:"action"`
	// +optional
	Data map[string]string `json:"data,omitempty"`
	// +optional
	UID string `json:"uid,omitempty"`
}

// VirtualMachineVolumeRequest is the type of VirtualMachineStatus.volumeRequests.
type VirtualMachineVolumeRequest struct {
	// +optional
	AddVolumeOptions *AddVolumeOptions `json:"addVolumeOptions,omitempty"`
	// +optional
	RemoveVolumeOptions *RemoveVolumeOptions `json:"removeVolumeOptions,omitempty"`
}

// VolumeSnapshotStatus is the type of VirtualMachineStatus.volumeSnapshotStatuses.
type VolumeSnapshotStatus struct {
	// +required
	Enabled bool `json:"enabled"`
	// +required
	Name string `json:"name"`
	// +optional
	Reason string `json:"reason,omitempty"`
}

// VolumeUpdateState is the type of VirtualMachineStatus.volumeUpdateState.
type VolumeUpdateState struct {
	// +optional
	VolumeMigrationState *VolumeMigrationState `json:"volumeMigrationState,omitempty"`
}

// DataVolumeTemplateDummyStatus is the type of DataVolumeTemplateSpec.status.
type DataVolumeTemplateDummyStatus struct {
}

// ControllerRevisionRef is the type of InstancetypeStatusRef.controllerRevisionRef.
type ControllerRevisionRef struct {
	// +optional
	Name string `json:"name,omitempty"`
}

// AddVolumeOptions is the type of VirtualMachineVolumeRequest.addVolumeOptions.
type AddVolumeOptions struct {
	// +required
	Disk *Disk `json:"disk"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// +required
	Name string `json:"name"`
	// +required
	VolumeSource *HotplugVolumeSource `json:"volumeSource"`
}

// RemoveVolumeOptions is the type of VirtualMachineVolumeRequest.removeVolumeOptions.
type RemoveVolumeOptions struct {
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// +required
	Name string `json:"name"`
}

// VolumeMigrationState is the type of VolumeUpdateState.volumeMigrationState.
type VolumeMigrationState struct {
	// +optional
	// +listType=atomic
	MigratedVolumes []StorageMigratedVolumeInfo `json:"migratedVolumes,omitempty"`
}

// HotplugVolumeSource is the type of AddVolumeOptions.volumeSource.
type HotplugVolumeSource struct {
	// +optional
	DataVolume *DataVolumeSource `json:"dataVolume,omitempty"`
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
}
