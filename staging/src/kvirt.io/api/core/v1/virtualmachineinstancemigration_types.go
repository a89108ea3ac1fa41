package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstanceMigration asks for one live migration of a VirtualMachineInstance.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=vmim;vmims,categories=all
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=".status.phase"
// +kubebuilder:printcolumn:name="VMI",type=string,JSONPath=".spec.vmiName"
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceMigration struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachineInstanceMigrationSpec `json:"spec"`
	// +optional
	Status VirtualMachineInstanceMigrationStatus `json:"status,omitempty"`
}

// VirtualMachineInstanceMigrationList is a list of VirtualMachineInstanceMigrations.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceMigrationList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	Items []VirtualMachineInstanceMigration `json:"items"`
}

// VirtualMachineInstanceMigrationSpec is the type of VirtualMachineInstanceMigration.spec.
type VirtualMachineInstanceMigrationSpec struct {
	// +optional
	AddedNodeSelector map[string]string `json:"addedNodeSelector,omitempty"`
	// +optional
	Priority string `json:"priority,omitempty"`
	// +optional
	Receive *VirtualMachineInstanceMigrationTarget `json:"receive,omitempty"`
	// +optional
	SendTo *VirtualMachineInstanceMigrationSource `json:"sendTo,omitempty"`
	// +optional
	VMIName string `json:"vmiName,omitempty"`
}

// VirtualMachineInstanceMigrationStatus is the type of VirtualMachineInstanceMigration.status.
type VirtualMachineInstanceMigrationStatus struct {
	// +optional
	Conditions []VirtualMachineInstanceMigrationCondition `json:"conditions,omitempty"`
	// +optional
	MigrationState *VirtualMachineInstanceMigrationState `json:"migrationState,omitempty"`
	// +optional
	Phase VirtualMachineInstanceMigrationPhase `json:"phase,omitempty"`
	// +optional
	// +listType=atomic
	PhaseTransitionTimestamps []VirtualMachineInstanceMigrationPhaseTransitionTimestamp `json:"phaseTransitionTimestamps,omitempty"`
	// +optional
	// +listType=atomic
	SynchronizationAddresses []string `json:"synchronizationAddresses,omitempty"`
}

// VirtualMachineInstanceMigrationSource is the type of VirtualMachineInstanceMigrationSpec.sendTo.
type VirtualMachineInstanceMigrationSource struct {
	// +required
	ConnectURL string `json:"connectURL"`
	// +required
	MigrationID string `json:"migrationID"`
}

// VirtualMachineInstanceMigrationTarget is the type of VirtualMachineInstanceMigrationSpec.receive.
type VirtualMachineInstanceMigrationTarget struct {
	// +required
	MigrationID string `json:"migrationID"`
}

// VirtualMachineInstanceMigrationCondition is the type of VirtualMachineInstanceMigrationStatus.conditions.
type VirtualMachineInstanceMigrationCondition struct {
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
	Type VirtualMachineInstanceMigrationConditionType `json:"type"`
}

// VirtualMachineInstanceMigrationPhaseTransitionTimestamp is the type of VirtualMachineInstanceMigrationStatus.phaseTransitionTimestamps.
type VirtualMachineInstanceMigrationPhaseTransitionTimestamp struct {
	// +optional
	Phase VirtualMachineInstanceMigrationPhase `json:"phase,omitempty"`
	// +optional
	PhaseTransitionTimestamp *metav1.Time `json:"phaseTransitionTimestamp,omitempty"`
}
