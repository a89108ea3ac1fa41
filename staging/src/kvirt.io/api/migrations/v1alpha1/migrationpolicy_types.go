package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MigrationPolicy tunes the live migrations of the VMIs its selectors match,
// overriding the cluster's spec.configuration.migrations for them. When several
// policies match a VMI, the one whose selectors name the most labels wins; a tie
// goes to the policy whose name sorts first.
//
// +genclient
// +genclient:nonNamespaced
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type MigrationPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the migration settings and the VMIs they apply to.
	// +required
	Spec MigrationPolicySpec `json:"spec"`
	// status is empty: nothing is reported on the policy itself. A migration that
	// uses it names it in the VMI's status.migrationState.migrationPolicyName.
	// +optional
	// +nullable
	Status MigrationPolicyStatus `json:"status,omitempty"`
}

// MigrationPolicySpec holds a policy's settings; each one left unset keeps the
// cluster's value.
type MigrationPolicySpec struct {
	// selectors says which VMIs the policy applies to.
	// +required
	Selectors *Selectors `json:"selectors"`
	// allowAutoConverge lets QEMU slow the guest's vCPUs so that a busy VM's
	// migration can converge.
	// +optional
	AllowAutoConverge *bool `json:"allowAutoConverge,omitempty"`
	// bandwidthPerMigration caps the network bandwidth of one migration, as a
	// quantity per second; 0 means no cap.
	// +optional
	BandwidthPerMigration *resource.Quantity `json:"bandwidthPerMigration,omitempty"`
	// completionTimeoutPerGiB is the time a migration may take, in seconds per GiB
	// of guest memory, before it is cancelled.
	// +optional
	// +kubebuilder:validation:Minimum=0
	CompletionTimeoutPerGiB *int64 `json:"completionTimeoutPerGiB,omitempty"`
	// allowPostCopy lets a migration that does not converge switch to post-copy.
	// kvirt migrates pre-copy only and refuses true.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!self",message="not supported by kvirt: migrations are pre-copy only"
	AllowPostCopy *bool `json:"allowPostCopy,omitempty"`
	// allowWorkloadDisruption lets a migration that overruns switch to post-copy or
	// pause the guest instead of being cancelled. kvirt refuses true.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!self",message="not supported by kvirt: a migration that overruns is cancelled, never switched to post-copy or paused"
	AllowWorkloadDisruption *bool `json:"allowWorkloadDisruption,omitempty"`
	// maxDowntimeMs is the longest pause of the guest, in milliseconds, tolerated
	// at switchover.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxDowntimeMS *int64 `json:"maxDowntimeMs,omitempty"`
}

// Selectors match VMIs by their own labels and by their namespace's labels; a
// VMI matches when every label named in both maps is present with that value.
// A policy with both maps empty matches every VMI.
type Selectors struct {
	// namespaceSelector: labels the VMI's namespace must carry.
	// +optional
	NamespaceSelector map[string]string `json:"namespaceSelector,omitempty"`
	// virtualMachineInstanceSelector: labels the VMI must carry.
	// +optional
	VirtualMachineInstanceSelector map[string]string `json:"virtualMachineInstanceSelector,omitempty"`
}

// MigrationPolicyStatus is empty.
type MigrationPolicyStatus struct{}

// MigrationPolicyList is a list of MigrationPolicies.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type MigrationPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the policies of the list.
	// +required
	Items []MigrationPolicy `json:"items"`
}
