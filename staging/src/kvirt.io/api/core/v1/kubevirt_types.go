package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KubeVirt is the install and configuration object of the add-on: virt-operator turns
// one of these into every component, and the components read their cluster
// configuration from it.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=kv;kvs,categories=all
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=".status.phase"
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type KubeVirt struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec KubeVirtSpec `json:"spec"`
	// +optional
	Status KubeVirtStatus `json:"status,omitempty"`
}

// KubeVirtList is a list of KubeVirts.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type KubeVirtList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	Items []KubeVirt `json:"items"`
}

// KubeVirtSpec is the type of KubeVirt.spec.
type KubeVirtSpec struct {
	// +optional
	CertificateRotateStrategy KubeVirtCertificateRotateStrategy `json:"certificateRotateStrategy,omitempty"`
	// +optional
	Configuration KubeVirtConfiguration `json:"configuration,omitempty"`
	// +optional
	CustomizeComponents CustomizeComponents `json:"customizeComponents,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// +optional
	// +listType=atomic
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// +optional
	ImageRegistry string `json:"imageRegistry,omitempty"`
	// +optional
	ImageTag string `json:"imageTag,omitempty"`
	// +optional
	Infra *ComponentConfig `json:"infra,omitempty"`
	// +optional
	MonitorAccount string `json:"monitorAccount,omitempty"`
	// +optional
	MonitorNamespace string `json:"monitorNamespace,omitempty"`
	// +optional
	ProductComponent string `json:"productComponent,omitempty"`
	// +optional
	ProductName string `json:"productName,omitempty"`
	// +optional
	ProductVersion string `json:"productVersion,omitempty"`
	// +optional
	ServiceMonitorNamespace string `json:"serviceMonitorNamespace,omitempty"`
	// +optional
	SynchronizationPort string `json:"synchronizationPort,omitempty"`
	// +optional
	UninstallStrategy string `json:"uninstallStrategy,omitempty"`
	// +optional
	WorkloadUpdateStrategy KubeVirtWorkloadUpdateStrategy `json:"workloadUpdateStrategy,omitempty"`
	// +optional
	Workloads *ComponentConfig `json:"workloads,omitempty"`
}

// KubeVirtStatus is the type of KubeVirt.status.
type KubeVirtStatus struct {
	// +optional
	Conditions []KubeVirtCondition `json:"conditions,omitempty"`
	// +optional
	DefaultArchitecture string `json:"defaultArchitecture,omitempty"`
	// +optional
	// +listType=atomic
	Generations []GenerationStatus `json:"generations,omitempty"`
	// +optional
	ObservedDeploymentConfig string `json:"observedDeploymentConfig,omitempty"`
	// +optional
	ObservedDeploymentID string `json:"observedDeploymentID,omitempty"`
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	ObservedKubeVirtRegistry string `json:"observedKubeVirtRegistry,omitempty"`
	// +optional
	ObservedKubeVirtVersion string `json:"observedKubeVirtVersion,omitempty"`
	// +optional
	OperatorVersion string `json:"operatorVersion,omitempty"`
	// +optional
	OutdatedVirtualMachineInstanceWorkloads int32 `json:"outdatedVirtualMachineInstanceWorkloads,omitempty"`
	// +optional
	Phase KubeVirtPhase `json:"phase,omitempty"`
	// +optional
	// +listType=atomic
	SynchronizationAddresses []string `json:"synchronizationAddresses,omitempty"`
	// +optional
	TargetDeploymentConfig string `json:"targetDeploymentConfig,omitempty"`
	// +optional
	TargetDeploymentID string `json:"targetDeploymentID,omitempty"`
	// +optional
	TargetKubeVirtRegistry string `json:"targetKubeVirtRegistry,omitempty"`
	// +optional
	TargetKubeVirtVersion string `json:"targetKubeVirtVersion,omitempty"`
}

// ComponentConfig is the type of KubeVirtSpec.infra.
type ComponentConfig struct {
	// +optional
	NodePlacement *NodePlacement `json:"nodePlacement,omitempty"`
	// +optional
	Replicas *uint8 `json:"replicas,omitempty"`
}

// CustomizeComponents is the type of KubeVirtSpec.customizeComponents.
type CustomizeComponents struct {
	// +optional
	Flags *Flags `json:"flags,omitempty"`
	// +optional
	// +listType=atomic
	Patches []CustomizeComponentsPatch `json:"patches,omitempty"`
}

// KubeVirtCertificateRotateStrategy is the type of KubeVirtSpec.certificateRotateStrategy.
type KubeVirtCertificateRotateStrategy struct {
	// +optional
	SelfSigned *KubeVirtSelfSignConfiguration `json:"selfSigned,omitempty"`
}

// KubeVirtWorkloadUpdateStrategy is the type of KubeVirtSpec.workloadUpdateStrategy.
type KubeVirtWorkloadUpdateStrategy struct {
	// +optional
	BatchEvictionInterval *metav1.Duration `json:"batchEvictionInterval,omitempty"`
	// +optional
	BatchEvictionSize *int32 `json:"batchEvictionSize,omitempty"`
	// +optional
	// +listType=atomic
	WorkloadUpdateMethods []string `json:"workloadUpdateMethods,omitempty"`
}

// GenerationStatus is the type of KubeVirtStatus.generations.
type GenerationStatus struct {
	// +required
	Group string `json:"group"`
	// +optional
	Hash string `json:"hash,omitempty"`
	// +required
	LastGeneration int64 `json:"lastGeneration"`
	// +required
	Name string `json:"name"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +required
	Resource string `json:"resource"`
}

// KubeVirtCondition is the type of KubeVirtStatus.conditions.
type KubeVirtCondition struct {
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
	Type KubeVirtConditionType `json:"type"`
}

// NodePlacement is the type of ComponentConfig.nodePlacement.
type NodePlacement struct {
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
}

// CustomizeComponentsPatch is the type of CustomizeComponents.patches.
type CustomizeComponentsPatch struct {
	// +required
	Patch string `json:"patch"`
	// +required
	ResourceName string `json:"resourceName"`
	// +required
	ResourceType string `json:"resourceType"`
	// +required
	Type string `json:"type"`
}

// Flags is the type of CustomizeComponents.flags.
type Flags struct {
	// +optional
	API map[string]string `json:"api,omitempty"`
	// +optional
	Controller map[string]string `json:"controller,omitempty"`
	// +optional
	Handler map[string]string `json:"handler,omitempty"`
}

// KubeVirtSelfSignConfiguration is the type of KubeVirtCertificateRotateStrategy.selfSigned.
type KubeVirtSelfSignConfiguration struct {
	// +optional
	CA *CertConfig `json:"ca,omitempty"`
	// +optional
	CAOverlapInterval *metav1.Duration `json:"caOverlapInterval,omitempty"`
	// +optional
	CARotateInterval *metav1.Duration `json:"caRotateInterval,omitempty"`
	// +optional
	CERTRotateInterval *metav1.Duration `json:"certRotateInterval,omitempty"`
	// +optional
	Server *CertConfig `json:"server,omitempty"`
}

// CertConfig is the type of KubeVirtSelfSignConfiguration.ca.
type CertConfig struct {
	// +optional
	Duration *metav1.Duration `json:"duration,omitempty"`
	// +optional
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`
}
