package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DataVolume is a PVC together with the instructions to fill it: the
// controller creates the claim and imports, clones or receives its content.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=dv;dvs,categories=all
// +kubebuilder:printcolumn:name="Phase",type="string",JSONPath=".status.phase",description="The phase the data volume is in"
// +kubebuilder:printcolumn:name="Progress",type="string",JSONPath=".status.progress",description="Transfer progress in percent if known, N/A otherwise"
// +kubebuilder:printcolumn:name="Restarts",type="integer",JSONPath=".status.restartCount",description="How often the transfer was restarted"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type DataVolume struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec says where the data comes from and what claim receives it.
	// +required
	Spec DataVolumeSpec `json:"spec"`
	// status is what the controller last observed of the transfer and the claim.
	// +optional
	Status DataVolumeStatus `json:"status,omitempty"`
}

// DataVolumeList is a list of DataVolumes.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type DataVolumeList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the DataVolumes of the list.
	// +required
	Items []DataVolume `json:"items"`
}

// DataVolumeStatus is the observed state of a DataVolume, reported as CDI does.
type DataVolumeStatus struct {
	// claimName is the PVC that holds the DataVolume's data.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// phase is where the DataVolume is in its life: Pending, ImportScheduled,
	// ImportInProgress, CloneScheduled, CloneInProgress, UploadScheduled,
	// UploadReady, WaitForFirstConsumer, PVCBound, Succeeded, Failed or Unknown.
	// +optional
	Phase DataVolumePhase `json:"phase,omitempty"`
	// progress is the share of the transfer done, as a percentage with two
	// decimals and a % sign ("45.20%"), or "N/A" when it is not known.
	// +optional
	Progress DataVolumeProgress `json:"progress,omitempty"`
	// restartCount is how many times the pod filling the claim failed and was
	// started again.
	// +optional
	RestartCount int32 `json:"restartCount,omitempty"`
	// conditions are Bound (the claim is bound), Running (the transfer pod runs)
	// and Ready (the data is complete and usable).
	// +optional
	Conditions []DataVolumeCondition `json:"conditions,omitempty"`
}

// DataVolumeCondition is one aspect of a DataVolume's state.
type DataVolumeCondition struct {
	// type is Bound, Running or Ready.
	// +required
	Type DataVolumeConditionType `json:"type"`
	// status is True, False or Unknown.
	// +required
	Status corev1.ConditionStatus `json:"status"`
	// lastTransitionTime is when status last changed.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// lastHeartbeatTime is when the condition was last written, also without a
	// change of status.
	// +optional
	LastHeartbeatTime metav1.Time `json:"lastHeartbeatTime,omitempty"`
	// reason is a CamelCase word (or CDI's short phrase) for why the condition
	// has its status.
	// +optional
	Reason string `json:"reason,omitempty"`
	// message says in words what happened, e.g. why the transfer pod failed.
	// +optional
	Message string `json:"message,omitempty"`
}

// DataVolumePhase is the life-cycle phase of a DataVolume.
type DataVolumePhase string

// DataVolumeProgress is the transfer progress: "NN.NN%" or "N/A".
type DataVolumeProgress string

// DataVolumeConditionType names a DataVolume condition.
type DataVolumeConditionType string

// The DataVolume phases kvirt's controller reports (CDI's names).
const (
	// PhaseUnset is a DataVolume no controller has looked at yet.
	PhaseUnset DataVolumePhase = ""
	// Pending: the claim or the transfer pod is not there yet.
	Pending DataVolumePhase = "Pending"
	// PVCBound: the claim is bound, the transfer has not started.
	PVCBound DataVolumePhase = "PVCBound"
	// ImportScheduled: the importer pod exists but does not run yet.
	ImportScheduled DataVolumePhase = "ImportScheduled"
	// ImportInProgress: the importer pod runs.
	ImportInProgress DataVolumePhase = "ImportInProgress"
	// CloneScheduled: the clone pod exists but does not run yet.
	CloneScheduled DataVolumePhase = "CloneScheduled"
	// CloneInProgress: the clone pod runs.
	CloneInProgress DataVolumePhase = "CloneInProgress"
	// UploadScheduled: the upload server pod exists but does not run yet.
	UploadScheduled DataVolumePhase = "UploadScheduled"
	// UploadReady: the upload server runs and waits for the data.
	UploadReady DataVolumePhase = "UploadReady"
	// WaitForFirstConsumer: the claim's StorageClass binds on first use and
	// nothing uses it yet.
	WaitForFirstConsumer DataVolumePhase = "WaitForFirstConsumer"
	// PendingPopulation: the claim waits for a volume populator (CDI's phase;
	// kvirt's controller does not report it, a consumer treats it as ready).
	PendingPopulation DataVolumePhase = "PendingPopulation"
	// Succeeded: the data is complete.
	Succeeded DataVolumePhase = "Succeeded"
	// Failed: the DataVolume cannot be completed without a change.
	Failed DataVolumePhase = "Failed"
	// Unknown: the claim is in a state the controller does not know.
	Unknown DataVolumePhase = "Unknown"
)

// The DataVolume condition types.
const (
	// DataVolumeReady is True once the data is complete and the claim usable.
	DataVolumeReady DataVolumeConditionType = "Ready"
	// DataVolumeBound is True while the claim is bound to a volume.
	DataVolumeBound DataVolumeConditionType = "Bound"
	// DataVolumeRunning is True while the import, clone or upload pod runs.
	DataVolumeRunning DataVolumeConditionType = "Running"
)

// DataVolumeKind is the kind of DataVolume objects.
const DataVolumeKind = "DataVolume"

// Content types of spec.contentType.
const (
	// ContentTypeKubeVirt is a VM disk image, stored as raw (the default).
	ContentTypeKubeVirt = "kubevirt"
	// ContentTypeArchive is a tar archive unpacked onto the filesystem.
	ContentTypeArchive = "archive"
)

// ProgressUnknown is status.progress when the progress is not known.
const ProgressUnknown DataVolumeProgress = "N/A"
