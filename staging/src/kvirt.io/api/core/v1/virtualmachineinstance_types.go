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
	// spec is the desired VM: its virtual hardware, volumes, networks and scheduling. It cannot be
	// changed after creation except by KubeVirt's own components (hotplug).
	// +required
	Spec VirtualMachineInstanceSpec `json:"spec"`
	// status is the VM's observed state, written by virt-controller and virt-handler.
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
	// items holds the VirtualMachineInstances of the list.
	// +required
	Items []VirtualMachineInstance `json:"items"`
}

// VirtualMachineInstanceSpec is the desired VM: hardware, storage, networks and scheduling.
type VirtualMachineInstanceSpec struct {
	// accessCredentials lists SSH keys and passwords to place into the guest, and how.
	// +optional
	// +listType=atomic
	AccessCredentials []AccessCredential `json:"accessCredentials,omitempty"`
	// affinity constrains the nodes the launcher pod may run on, as in a pod.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// architecture is the guest CPU architecture (amd64, arm64 or s390x); defaults to the cluster's
	// architecture.
	// +optional
	Architecture string `json:"architecture,omitempty"`
	// dnsConfig adds DNS settings to those dnsPolicy produces, as in a pod.
	// +optional
	DNSConfig *corev1.PodDNSConfig `json:"dnsConfig,omitempty"`
	// dnsPolicy is the launcher pod's DNS policy: ClusterFirst (default), ClusterFirstWithHostNet,
	// Default or None.
	// +optional
	// +kubebuilder:validation:Enum=ClusterFirst;ClusterFirstWithHostNet;Default;None
	DNSPolicy corev1.DNSPolicy `json:"dnsPolicy,omitempty"`
	// domain is the virtual hardware: CPU, memory, firmware, devices and resources.
	// +required
	Domain DomainSpec `json:"domain"`
	// evictionStrategy says what a node drain does to the VM: None (stop it), LiveMigrate (move it;
	// block eviction until then), LiveMigrateIfPossible (move it when it can migrate, else stop it) or
	// External (block eviction and set status.evacuationNodeName for another controller). Defaults to
	// the cluster's setting.
	// +optional
	EvictionStrategy *EvictionStrategy `json:"evictionStrategy,omitempty"`
	// hostname is the guest's host name; defaults to the VMI name (given to the guest through DHCP or
	// cloud-init).
	// +optional
	Hostname string `json:"hostname,omitempty"`
	// livenessProbe checks the guest periodically; the VMI is stopped when the probe fails.
	// +optional
	LivenessProbe *Probe `json:"livenessProbe,omitempty"`
	// networks lists the networks the interfaces connect to; each interface names one network.
	// +optional
	Networks []Network `json:"networks,omitempty"`
	// nodeSelector is a set of node labels the launcher pod's node must carry.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// priorityClassName is the priority class of the launcher pod.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// readinessProbe checks the guest periodically; while it fails the VMI is not Ready and is left
	// out of Service endpoints.
	// +optional
	ReadinessProbe *Probe `json:"readinessProbe,omitempty"`
	// resourceClaims lists dynamic resource allocation claims the launcher pod needs before it starts;
	// devices refer to them by name.
	// +optional
	// +listType=map
	// +listMapKey=name
	ResourceClaims []VirtualMachineInstanceResourceClaim `json:"resourceClaims,omitempty"`
	// schedulerName is the scheduler that places the launcher pod; the default scheduler when empty.
	// +optional
	SchedulerName string `json:"schedulerName,omitempty"`
	// serviceAccountName is the ServiceAccount the launcher pod runs as; it does not give the guest
	// the token (use a serviceAccount volume for that).
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// startStrategy "Paused" starts the VM paused; empty starts it running.
	// +optional
	StartStrategy *StartStrategy `json:"startStrategy,omitempty"`
	// subdomain gives the guest the DNS name <hostname>.<subdomain>.<namespace>.svc.<cluster domain>
	// when a headless Service of that name exists.
	// +optional
	Subdomain string `json:"subdomain,omitempty"`
	// terminationGracePeriodSeconds is how long, in seconds, a graceful shutdown may take before the
	// VM is killed; defaults to 180.
	// +optional
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
	// tolerations lets the launcher pod run on nodes with matching taints, as in a pod.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// topologySpreadConstraints spreads launcher pods over topology domains, as in a pod.
	// +optional
	// +listType=map
	// +listMapKey=topologyKey
	// +listMapKey=whenUnsatisfiable
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	// utilityVolumes lists PVCs mounted into the launcher pod without a disk in the guest, for
	// operational workflows such as memory dumps.
	// +optional
	// +listType=map
	// +listMapKey=name
	UtilityVolumes []UtilityVolume `json:"utilityVolumes,omitempty"`
	// volumes lists the storage sources that disks and filesystems name.
	// +optional
	Volumes []Volume `json:"volumes,omitempty"`
}

// AccessCredential is one SSH key set or password set for the guest.
type AccessCredential struct {
	// sshPublicKey places SSH public keys from a Secret into the guest.
	// +optional
	SSHPublicKey *SSHPublicKeyAccessCredential `json:"sshPublicKey,omitempty"`
	// userPassword sets guest user passwords from a Secret.
	// +optional
	UserPassword *UserPasswordAccessCredential `json:"userPassword,omitempty"`
}

// Probe checks the guest periodically.
type Probe struct {
	// exec runs a command in the guest through the QEMU guest agent; the probe fails when the agent is
	// absent. Exactly one of exec, httpGet, tcpSocket and guestAgentPing is set.
	// +optional
	Exec *corev1.ExecAction `json:"exec,omitempty"`
	// failureThreshold is how many failures in a row make the probe fail; defaults to 3, at least 1.
	// +optional
	FailureThreshold int32 `json:"failureThreshold,omitempty"`
	// guestAgentPing succeeds when the QEMU guest agent answers; failures are ignored while the VM is
	// migrating or deliberately paused.
	// +optional
	GuestAgentPing *GuestAgentPing `json:"guestAgentPing,omitempty"`
	// httpGet sends an HTTP GET to the guest.
	// +optional
	HTTPGet *corev1.HTTPGetAction `json:"httpGet,omitempty"`
	// initialDelaySeconds is how long, in seconds, to wait after the VM starts before probing.
	// +optional
	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	// periodSeconds is the interval between probes in seconds; defaults to 10, at least 1.
	// +optional
	PeriodSeconds int32 `json:"periodSeconds,omitempty"`
	// successThreshold is how many successes in a row make a failed probe pass again; defaults to 1,
	// and must be 1 for liveness.
	// +optional
	SuccessThreshold int32 `json:"successThreshold,omitempty"`
	// tcpSocket opens a TCP connection to a guest port.
	// +optional
	TCPSocket *corev1.TCPSocketAction `json:"tcpSocket,omitempty"`
	// timeoutSeconds is how long, in seconds, one probe may take; defaults to 1. An exec command that
	// times out keeps running in the guest.
	// +optional
	TimeoutSeconds int32 `json:"timeoutSeconds,omitempty"`
}

// UtilityVolume is a PVC mounted into the launcher pod only.
type UtilityVolume struct {
	// claimName is a PVC in the VMI's namespace.
	// +required
	ClaimName string `json:"claimName"`
	// name identifies the volume; unique among volumes and utility volumes.
	// +required
	Name string `json:"name"`
	// readOnly mounts the PVC read-only; defaults to false.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
	// type says what the volume is for.
	// +optional
	Type string `json:"type,omitempty"`
}

// VirtualMachineInstanceResourceClaim is one dynamic resource allocation claim of a VMI.
type VirtualMachineInstanceResourceClaim struct {
	// name identifies the claim within the VMI (a DNS label); devices refer to it.
	// +required
	Name string `json:"name"`
	// resourceClaimName names an existing ResourceClaim in the namespace; exactly one of this and
	// resourceClaimTemplateName is set.
	// +optional
	ResourceClaimName string `json:"resourceClaimName,omitempty"`
	// resourceClaimTemplateName names a ResourceClaimTemplate from which a claim is made for the
	// launcher pod.
	// +optional
	ResourceClaimTemplateName string `json:"resourceClaimTemplateName,omitempty"`
}

// SSHPublicKeyAccessCredential places SSH keys into the guest.
type SSHPublicKeyAccessCredential struct {
	// propagationMethod says how the keys reach the guest.
	// +required
	PropagationMethod SSHPublicKeyAccessCredentialPropagationMethod `json:"propagationMethod"`
	// source says where the keys come from.
	// +required
	Source SSHPublicKeyAccessCredentialSource `json:"source"`
}

// UserPasswordAccessCredential sets guest passwords.
type UserPasswordAccessCredential struct {
	// propagationMethod says how the passwords reach the guest.
	// +required
	PropagationMethod UserPasswordAccessCredentialPropagationMethod `json:"propagationMethod"`
	// source says where the passwords come from.
	// +required
	Source UserPasswordAccessCredentialSource `json:"source"`
}

// GuestAgentPing probes by pinging the guest agent; it has no fields.
type GuestAgentPing struct {
}

// SSHPublicKeyAccessCredentialPropagationMethod says how SSH keys reach the guest; one field is
// set.
type SSHPublicKeyAccessCredentialPropagationMethod struct {
	// configDrive puts the keys into the cloud-init config drive metadata, read once at boot.
	// +optional
	ConfigDrive *ConfigDriveSSHPublicKeyAccessCredentialPropagation `json:"configDrive,omitempty"`
	// noCloud puts the keys into the cloud-init NoCloud metadata, read once at boot.
	// +optional
	NoCloud *NoCloudSSHPublicKeyAccessCredentialPropagation `json:"noCloud,omitempty"`
	// qemuGuestAgent writes the keys through the QEMU guest agent while the guest runs, and keeps them
	// in sync with the Secret.
	// +optional
	QemuGuestAgent *QemuGuestAgentSSHPublicKeyAccessCredentialPropagation `json:"qemuGuestAgent,omitempty"`
}

// SSHPublicKeyAccessCredentialSource says where SSH keys come from.
type SSHPublicKeyAccessCredentialSource struct {
	// secret reads the keys from a Secret; every value in it is a key.
	// +optional
	Secret *AccessCredentialSecretSource `json:"secret,omitempty"`
}

// UserPasswordAccessCredentialPropagationMethod says how passwords reach the guest.
type UserPasswordAccessCredentialPropagationMethod struct {
	// qemuGuestAgent sets the passwords through the QEMU guest agent while the guest runs.
	// +optional
	QemuGuestAgent *QemuGuestAgentUserPasswordAccessCredentialPropagation `json:"qemuGuestAgent,omitempty"`
}

// UserPasswordAccessCredentialSource says where passwords come from.
type UserPasswordAccessCredentialSource struct {
	// secret reads the passwords from a Secret: each key is a user name, each value that user's
	// password.
	// +optional
	Secret *AccessCredentialSecretSource `json:"secret,omitempty"`
}

// ConfigDriveSSHPublicKeyAccessCredentialPropagation selects config drive metadata; it has no
// fields.
type ConfigDriveSSHPublicKeyAccessCredentialPropagation struct {
}

// NoCloudSSHPublicKeyAccessCredentialPropagation selects NoCloud metadata; it has no fields.
type NoCloudSSHPublicKeyAccessCredentialPropagation struct {
}

// QemuGuestAgentSSHPublicKeyAccessCredentialPropagation writes keys through the guest agent.
type QemuGuestAgentSSHPublicKeyAccessCredentialPropagation struct {
	// users are the guest users whose authorized_keys receive the keys.
	// +required
	// +listType=set
	Users []string `json:"users"`
}

// AccessCredentialSecretSource names the Secret credentials come from.
type AccessCredentialSecretSource struct {
	// secretName is a Secret in the VMI's namespace.
	// +required
	SecretName string `json:"secretName"`
}

// QemuGuestAgentUserPasswordAccessCredentialPropagation sets passwords through the guest agent; it
// has no fields.
type QemuGuestAgentUserPasswordAccessCredentialPropagation struct {
}
