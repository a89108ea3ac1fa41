package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DataSource names an existing PVC or VolumeSnapshot that DataVolumes can use
// as their source through spec.sourceRef, so the golden image can move without
// the DataVolumes changing. As in CDI, its status has no subresource.
//
// +genclient
// +genclient:noStatus
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=das,categories=all
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type DataSource struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec names the data the DataSource stands for.
	// +required
	Spec DataSourceSpec `json:"spec"`
	// status is the source in effect and whether it is ready.
	// +optional
	Status DataSourceStatus `json:"status,omitempty"`
}

// DataSourceList is a list of DataSources.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type DataSourceList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the DataSources of the list.
	// +required
	Items []DataSource `json:"items"`
}

// DataSourceSpec is what a DataSource points at.
type DataSourceSpec struct {
	// source is the PVC, VolumeSnapshot or other DataSource that holds the data.
	// +required
	Source DataSourceSource `json:"source"`
}

// DataSourceSource is the data behind a DataSource; one field is set.
type DataSourceSource struct {
	// pvc is a PVC holding the data.
	// +optional
	PVC *DataVolumeSourcePVC `json:"pvc,omitempty"`
	// snapshot is a VolumeSnapshot holding the data.
	// +optional
	Snapshot *DataVolumeSourceSnapshot `json:"snapshot,omitempty"`
	// dataSource is another DataSource to follow (one level at most).
	// +optional
	DataSource *DataSourceRefSourceDataSource `json:"dataSource,omitempty"`
}

// DataSourceRefSourceDataSource names another DataSource.
type DataSourceRefSourceDataSource struct {
	// name is the DataSource to follow.
	// +required
	Name string `json:"name"`
	// namespace is the namespace of that DataSource.
	// +required
	Namespace string `json:"namespace"`
}

// DataSourceStatus is the observed state of a DataSource.
type DataSourceStatus struct {
	// source is the source in effect, with any DataSource reference resolved.
	// +optional
	Source DataSourceSource `json:"source,omitempty"`
	// conditions holds Ready: True when the source exists and holds complete data.
	// +optional
	Conditions []DataSourceCondition `json:"conditions,omitempty"`
}

// DataSourceCondition is one aspect of a DataSource's state.
type DataSourceCondition struct {
	// type is Ready.
	// +required
	Type DataSourceConditionType `json:"type"`
	// ConditionState holds the status, times, reason and message.
	ConditionState `json:",inline"`
}

// ConditionState is the state part of a CDI condition.
type ConditionState struct {
	// status is True, False or Unknown.
	// +required
	Status corev1.ConditionStatus `json:"status"`
	// lastTransitionTime is when status last changed.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// lastHeartbeatTime is when the condition was last written.
	// +optional
	LastHeartbeatTime metav1.Time `json:"lastHeartbeatTime,omitempty"`
	// reason is a CamelCase word for why the condition has its status.
	// +optional
	Reason string `json:"reason,omitempty"`
	// message says in words why the condition has its status.
	// +optional
	Message string `json:"message,omitempty"`
}

// DataSourceConditionType names a DataSource condition.
type DataSourceConditionType string

// DataSourceReady is True when the DataSource's data can be used.
const DataSourceReady DataSourceConditionType = "Ready"

// DataSourceKind is the kind of DataSource objects, as sourceRef.kind names it.
const DataSourceKind = "DataSource"
