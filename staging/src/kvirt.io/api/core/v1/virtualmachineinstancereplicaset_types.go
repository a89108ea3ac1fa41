package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstanceReplicaSet keeps a number of identical, stateless
// VirtualMachineInstances running.
//
// +genclient
// +genclient:method=GetScale,verb=get,subresource=scale,result=k8s.io/api/autoscaling/v1.Scale
// +genclient:method=UpdateScale,verb=update,subresource=scale,input=k8s.io/api/autoscaling/v1.Scale,result=k8s.io/api/autoscaling/v1.Scale
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:subresource:scale:specpath=.spec.replicas,statuspath=.status.replicas,selectorpath=.status.labelSelector
// +kubebuilder:resource:shortName=vmirs;vmirss,categories=all
// +kubebuilder:printcolumn:name="Desired",type=integer,JSONPath=".spec.replicas",description="Number of desired VirtualMachineInstances"
// +kubebuilder:printcolumn:name="Current",type=integer,JSONPath=".status.replicas",description="Number of managed and not final or deleted VirtualMachineInstances"
// +kubebuilder:printcolumn:name="Ready",type=integer,JSONPath=".status.readyReplicas",description="Number of managed VirtualMachineInstances which are ready to receive traffic"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceReplicaSet struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the number of VMIs wanted and the template they are made from.
	// +required
	Spec VirtualMachineInstanceReplicaSetSpec `json:"spec"`
	// status reports how many VMIs exist and are ready.
	// +optional
	Status VirtualMachineInstanceReplicaSetStatus `json:"status,omitempty"`
}

// VirtualMachineInstanceReplicaSetList is a list of VirtualMachineInstanceReplicaSets.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceReplicaSetList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the replica sets of the list.
	// +required
	Items []VirtualMachineInstanceReplicaSet `json:"items"`
}

// VirtualMachineInstanceReplicaSetSpec is the desired state of a replica set.
type VirtualMachineInstanceReplicaSetSpec struct {
	// paused stops the controller from creating or deleting VMIs while true.
	// +optional
	Paused *bool `json:"paused,omitempty"`
	// replicas is the number of VMIs wanted; defaults to 1.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// selector selects the VMIs the replica set counts and owns; it must match the template's labels.
	// +required
	Selector *metav1.LabelSelector `json:"selector"`
	// template is the VMI each replica is created from.
	// +required
	Template *VirtualMachineInstanceTemplateSpec `json:"template"`
}

// VirtualMachineInstanceReplicaSetStatus is the observed state of a replica set.
type VirtualMachineInstanceReplicaSetStatus struct {
	// conditions are the replica set's conditions, such as ReplicaFailure.
	// +optional
	Conditions []VirtualMachineInstanceReplicaSetCondition `json:"conditions,omitempty"`
	// labelSelector is the selector in string form, for the scale subresource.
	// +optional
	LabelSelector string `json:"labelSelector,omitempty"`
	// readyReplicas is the number of owned VMIs that are ready.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
	// replicas is the number of owned VMIs that are neither finished nor being deleted.
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
}

// VirtualMachineInstanceReplicaSetCondition is one condition of a replica set.
type VirtualMachineInstanceReplicaSetCondition struct {
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
	// type names the condition: ReplicaFailure or ReplicaPaused.
	// +required
	Type VirtualMachineInstanceReplicaSetConditionType `json:"type"`
}
