package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VirtualMachineInstance is one running virtual machine; it is backed by exactly one
// virt-launcher pod. Its status lives in the main object (no status subresource).
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=vmi;vmis,categories=all
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=".status.phase"
// +kubebuilder:printcolumn:name="IP",type=string,JSONPath=".status.interfaces[0].ipAddress"
// +kubebuilder:printcolumn:name="NodeName",type=string,JSONPath=".status.nodeName"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Live-Migratable",type=string,JSONPath=".status.conditions[?(@.type=='LiveMigratable')].status",priority=1
// +kubebuilder:printcolumn:name="Paused",type=string,JSONPath=".status.conditions[?(@.type=='Paused')].status",priority=1
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstance struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachineInstanceSpec `json:"spec"`
	// +optional
	Status VirtualMachineInstanceStatus `json:"status,omitempty"`
}

// VirtualMachineInstanceList is a list of VirtualMachineInstances.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	Items []VirtualMachineInstance `json:"items"`
}

// VirtualMachineInstanceSpec is the type of VirtualMachineInstance.spec.
type VirtualMachineInstanceSpec struct {
	// +optional
	// +listType=atomic
	AccessCredentials []AccessCredential `json:"accessCredentials,omitempty"`
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// +optional
	Architecture string `json:"architecture,omitempty"`
	// +optional
	DNSConfig *corev1.PodDNSConfig `json:"dnsConfig,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=ClusterFirst;ClusterFirstWithHostNet;Default;None
	DNSPolicy corev1.DNSPolicy `json:"dnsPolicy,omitempty"`
	// +required
	Domain DomainSpec `json:"domain"`
	// +optional
	EvictionStrategy *EvictionStrategy `json:"evictionStrategy,omitempty"`
	// +optional
	Hostname string `json:"hostname,omitempty"`
	// +optional
	LivenessProbe *Probe `json:"livenessProbe,omitempty"`
	// +optional
	Networks []Network `json:"networks,omitempty"`
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// +optional
	ReadinessProbe *Probe `json:"readinessProbe,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=name
	ResourceClaims []VirtualMachineInstanceResourceClaim `json:"resourceClaims,omitempty"`
	// +optional
	SchedulerName string `json:"schedulerName,omitempty"`
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// +optional
	StartStrategy *StartStrategy `json:"startStrategy,omitempty"`
	// +optional
	Subdomain string `json:"subdomain,omitempty"`
	// +optional
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=topologyKey
	// +listMapKey=whenUnsatisfiable
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=name
	UtilityVolumes []UtilityVolume `json:"utilityVolumes,omitempty"`
	// +optional
	Volumes []Volume `json:"volumes,omitempty"`
}

// AccessCredential is the type of VirtualMachineInstanceSpec.accessCredentials.
type AccessCredential struct {
	// +optional
	SSHPublicKey *SSHPublicKeyAccessCredential `json:"sshPublicKey,omitempty"`
	// +optional
	UserPassword *UserPasswordAccessCredential `json:"userPassword,omitempty"`
}

// Probe is the type of VirtualMachineInstanceSpec.livenessProbe.
type Probe struct {
	// +optional
	Exec *corev1.ExecAction `json:"exec,omitempty"`
	// +optional
	FailureThreshold int32 `json:"failureThreshold,omitempty"`
	// +optional
	GuestAgentPing *GuestAgentPing `json:"guestAgentPing,omitempty"`
	// +optional
	HTTPGet *corev1.HTTPGetAction `json:"httpGet,omitempty"`
	// +optional
	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	// +optional
	PeriodSeconds int32 `json:"periodSeconds,omitempty"`
	// +optional
	SuccessThreshold int32 `json:"successThreshold,omitempty"`
	// +optional
	TCPSocket *corev1.TCPSocketAction `json:"tcpSocket,omitempty"`
	// +optional
	TimeoutSeconds int32 `json:"timeoutSeconds,omitempty"`
}

// UtilityVolume is the type of VirtualMachineInstanceSpec.utilityVolumes.
type UtilityVolume struct {
	// +required
	ClaimName string `json:"claimName"`
	// +required
	Name string `json:"name"`
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
	// +optional
	Type string `json:"type,omitempty"`
}

// VirtualMachineInstanceResourceClaim is the type of VirtualMachineInstanceSpec.resourceClaims.
type VirtualMachineInstanceResourceClaim struct {
	// +required
	Name string `json:"name"`
	// +optional
	ResourceClaimName string `json:"resourceClaimName,omitempty"`
	// +optional
	ResourceClaimTemplateName string `json:"resourceClaimTemplateName,omitempty"`
}

// SSHPublicKeyAccessCredential is the type of AccessCredential.sshPublicKey.
type SSHPublicKeyAccessCredential struct {
	// +required
	PropagationMethod SSHPublicKeyAccessCredentialPropagationMethod `json:"propagationMethod"`
	// +required
	Source SSHPublicKeyAccessCredentialSource `json:"source"`
}

// UserPasswordAccessCredential is the type of AccessCredential.userPassword.
type UserPasswordAccessCredential struct {
	// +required
	PropagationMethod UserPasswordAccessCredentialPropagationMethod `json:"propagationMethod"`
	// +required
	Source UserPasswordAccessCredentialSource `json:"source"`
}

// GuestAgentPing is the type of Probe.guestAgentPing.
type GuestAgentPing struct {
}

// SSHPublicKeyAccessCredentialPropagationMethod is the type of SSHPublicKeyAccessCredential.propagationMethod.
type SSHPublicKeyAccessCredentialPropagationMethod struct {
	// +optional
	ConfigDrive *ConfigDriveSSHPublicKeyAccessCredentialPropagation `json:"configDrive,omitempty"`
	// +optional
	NoCloud *NoCloudSSHPublicKeyAccessCredentialPropagation `json:"noCloud,omitempty"`
	// +optional
	QemuGuestAgent *QemuGuestAgentSSHPublicKeyAccessCredentialPropagation `json:"qemuGuestAgent,omitempty"`
}

// SSHPublicKeyAccessCredentialSource is the type of SSHPublicKeyAccessCredential.source.
type SSHPublicKeyAccessCredentialSource struct {
	// +optional
	Secret *AccessCredentialSecretSource `json:"secret,omitempty"`
}

// UserPasswordAccessCredentialPropagationMethod is the type of UserPasswordAccessCredential.propagationMethod.
type UserPasswordAccessCredentialPropagationMethod struct {
	// +optional
	QemuGuestAgent *QemuGuestAgentUserPasswordAccessCredentialPropagation `json:"qemuGuestAgent,omitempty"`
}

// UserPasswordAccessCredentialSource is the type of UserPasswordAccessCredential.source.
type UserPasswordAccessCredentialSource struct {
	// +optional
	Secret *AccessCredentialSecretSource `json:"secret,omitempty"`
}

// ConfigDriveSSHPublicKeyAccessCredentialPropagation is the type of SSHPublicKeyAccessCredentialPropagationMethod.configDrive.
type ConfigDriveSSHPublicKeyAccessCredentialPropagation struct {
}

// NoCloudSSHPublicKeyAccessCredentialPropagation is the type of SSHPublicKeyAccessCredentialPropagationMethod.noCloud.
type NoCloudSSHPublicKeyAccessCredentialPropagation struct {
}

// QemuGuestAgentSSHPublicKeyAccessCredentialPropagation is the type of SSHPublicKeyAccessCredentialPropagationMethod.qemuGuestAgent.
type QemuGuestAgentSSHPublicKeyAccessCredentialPropagation struct {
	// +required
	// +listType=set
	Users []string `json:"users"`
}

// AccessCredentialSecretSource is the type of SSHPublicKeyAccessCredentialSource.secret.
type AccessCredentialSecretSource struct {
	// +required
	SecretName string `json:"secretName"`
}

// QemuGuestAgentUserPasswordAccessCredentialPropagation is the type of UserPasswordAccessCredentialPropagationMethod.qemuGuestAgent.
type QemuGuestAgentUserPasswordAccessCredentialPropagation struct {
}
