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
	// spec names the VMI to migrate and constrains the move; it cannot be changed after creation.
	// +required
	Spec VirtualMachineInstanceMigrationSpec `json:"spec"`
	// status reports the migration's phase and progress.
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
	// items holds the migrations of the list.
	// +required
	Items []VirtualMachineInstanceMigration `json:"items"`
}

// VirtualMachineInstanceMigrationSpec is what to migrate and where.
type VirtualMachineInstanceMigrationSpec struct {
	// addedNodeSelector adds node labels the target node must carry, on top of the VMI's own node
	// selector and affinity (the VMI's values win on conflicts).
	// +optional
	AddedNodeSelector map[string]string `json:"addedNodeSelector,omitempty"`
	// priority is system-critical, user-triggered or system-maintenance; higher priorities are started
	// first when migrations queue up.
	// +optional
	Priority string `json:"priority,omitempty"`
	// receive makes this the receiving half of a migration between clusters.
	// +optional
	Receive *VirtualMachineInstanceMigrationTarget `json:"receive,omitempty"`
	// sendTo makes this the sending half of a migration between clusters.
	// +optional
	SendTo *VirtualMachineInstanceMigrationSource `json:"sendTo,omitempty"`
	// vmiName is the VMI to migrate, in the migration's namespace.
	// +optional
	VMIName string `json:"vmiName,omitempty"`
}

// VirtualMachineInstanceMigrationStatus is the observed state of a migration.
type VirtualMachineInstanceMigrationStatus struct {
	// conditions are the migration's conditions, merged by type.
	// +optional
	Conditions []VirtualMachineInstanceMigrationCondition `json:"conditions,omitempty"`
	// migrationState mirrors the VMI's migration state for this migration.
	// +optional
	MigrationState *VirtualMachineInstanceMigrationState `json:"migrationState,omitempty"`
	// phase is Pending, Scheduling, Scheduled, PreparingTarget, TargetReady, Running, Succeeded,
	// Failed, WaitingForSync or Synchronizing.
	// +optional
	Phase VirtualMachineInstanceMigrationPhase `json:"phase,omitempty"`
	// phaseTransitionTimestamps records when the migration entered each phase.
	// +optional
	// +listType=atomic
	PhaseTransitionTimestamps []VirtualMachineInstanceMigrationPhaseTransitionTimestamp `json:"phaseTransitionTimestamps,omitempty"`
	// synchronizationAddresses lists host:port addresses of the synchronization service for a
	// migration between clusters.
	// +optional
	// +listType=atomic
	SynchronizationAddresses []string `json:"synchronizationAddresses,omitempty"`
}

// VirtualMachineInstanceMigrationSource is the sending half of a migration between clusters.
type VirtualMachineInstanceMigrationSource struct {
	// connectURL is the URL of the other cluster's synchronization service.
	// +required
	ConnectURL string `json:"connectURL"`
	// migrationID identifies the migration; both halves use the same ID.
	// +required
	MigrationID string `json:"migrationID"`
}

// VirtualMachineInstanceMigrationTarget is the receiving half of a migration between clusters.
type VirtualMachineInstanceMigrationTarget struct {
	// migrationID identifies the migration; both halves use the same ID.
	// +required
	MigrationID string `json:"migrationID"`
}

// VirtualMachineInstanceMigrationCondition is one condition of a migration.
type VirtualMachineInstanceMigrationCondition struct {
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
	// type names the condition, e.g. migrationAbortRequested.
	// +required
	Type VirtualMachineInstanceMigrationConditionType `json:"type"`
}

// VirtualMachineInstanceMigrationPhaseTransitionTimestamp records when a migration entered a phase.
type VirtualMachineInstanceMigrationPhaseTransitionTimestamp struct {
	// phase is the phase entered.
	// +optional
	Phase VirtualMachineInstanceMigrationPhase `json:"phase,omitempty"`
	// phaseTransitionTimestamp is when it was entered.
	// +optional
	PhaseTransitionTimestamp *metav1.Time `json:"phaseTransitionTimestamp,omitempty"`
}
