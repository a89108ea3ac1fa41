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
	// spec is how the add-on is installed and configured.
	// +required
	Spec KubeVirtSpec `json:"spec"`
	// status reports the installation's progress and versions, written by virt-operator.
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
	// items holds the KubeVirt objects of the list.
	// +required
	Items []KubeVirt `json:"items"`
}

// KubeVirtSpec is how the add-on is installed and configured.
type KubeVirtSpec struct {
	// certificateRotateStrategy sets the lifetimes of the self-signed CA and certificates the
	// components use.
	// +optional
	CertificateRotateStrategy KubeVirtCertificateRotateStrategy `json:"certificateRotateStrategy,omitempty"`
	// configuration is the cluster-wide configuration the components read: feature gates, defaults,
	// limits, migration and network settings.
	// +optional
	Configuration KubeVirtConfiguration `json:"configuration,omitempty"`
	// customizeComponents patches the objects the operator creates, or adds flags to the components.
	// +optional
	CustomizeComponents CustomizeComponents `json:"customizeComponents,omitempty"`
	// imagePullPolicy is the pull policy of the component images (not of VM workloads): Always,
	// IfNotPresent or Never.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// imagePullSecrets are the Secrets used to pull the component images.
	// +optional
	// +listType=atomic
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// imageRegistry is the registry of the component images; defaults to the operator image's
	// registry.
	// +optional
	ImageRegistry string `json:"imageRegistry,omitempty"`
	// imageTag is the tag of the component images; defaults to the operator image's tag.
	// +optional
	ImageTag string `json:"imageTag,omitempty"`
	// infra places virt-api and virt-controller: node selector, affinity, tolerations and replicas.
	// +optional
	Infra *ComponentConfig `json:"infra,omitempty"`
	// monitorAccount is the Prometheus ServiceAccount given read access to the metrics; defaults to
	// prometheus-k8s.
	// +optional
	MonitorAccount string `json:"monitorAccount,omitempty"`
	// monitorNamespace is the namespace Prometheus runs in; defaults to openshift-monitoring.
	// +optional
	MonitorNamespace string `json:"monitorNamespace,omitempty"`
	// productComponent is the component label value put on the installed objects; defaults to
	// kubevirt.
	// +optional
	ProductComponent string `json:"productComponent,omitempty"`
	// productName is the part-of label value put on the installed objects; no such label when empty.
	// +optional
	ProductName string `json:"productName,omitempty"`
	// productVersion is the version label value put on the installed objects; defaults to the
	// installed version.
	// +optional
	ProductVersion string `json:"productVersion,omitempty"`
	// serviceMonitorNamespace is where the ServiceMonitor is created; defaults to monitorNamespace.
	// +optional
	ServiceMonitorNamespace string `json:"serviceMonitorNamespace,omitempty"`
	// synchronizationPort is the port of the synchronization service used by migrations between
	// clusters; defaults to 9185.
	// +optional
	SynchronizationPort string `json:"synchronizationPort,omitempty"`
	// uninstallStrategy is BlockUninstallIfWorkloadsExist (refuse deletion while VMIs exist) or
	// BlockUninstallIfRemoveWorkloads (delete them too); guards against losing VMs by accident.
	// +optional
	UninstallStrategy string `json:"uninstallStrategy,omitempty"`
	// workloadUpdateStrategy says how running VMs are moved to new launcher images after an update.
	// +optional
	WorkloadUpdateStrategy KubeVirtWorkloadUpdateStrategy `json:"workloadUpdateStrategy,omitempty"`
	// workloads places virt-handler and with it the VMs: node selector, affinity and tolerations.
	// +optional
	Workloads *ComponentConfig `json:"workloads,omitempty"`
}

// KubeVirtStatus is the installation's observed state.
type KubeVirtStatus struct {
	// conditions are the install's conditions: Available, Progressing, Degraded, Created,
	// Synchronized.
	// +optional
	Conditions []KubeVirtCondition `json:"conditions,omitempty"`
	// defaultArchitecture is the architecture VMs get when they set none.
	// +optional
	DefaultArchitecture string `json:"defaultArchitecture,omitempty"`
	// generations records the last applied generation of each object the operator manages, to detect
	// drift.
	// +optional
	// +listType=atomic
	Generations []GenerationStatus `json:"generations,omitempty"`
	// observedDeploymentConfig is the deployment configuration last installed, as JSON.
	// +optional
	ObservedDeploymentConfig string `json:"observedDeploymentConfig,omitempty"`
	// observedDeploymentID is a hash identifying observedDeploymentConfig.
	// +optional
	ObservedDeploymentID string `json:"observedDeploymentID,omitempty"`
	// observedGeneration is the spec generation the operator last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// observedKubeVirtRegistry is the image registry of the installed version.
	// +optional
	ObservedKubeVirtRegistry string `json:"observedKubeVirtRegistry,omitempty"`
	// observedKubeVirtVersion is the installed version.
	// +optional
	ObservedKubeVirtVersion string `json:"observedKubeVirtVersion,omitempty"`
	// operatorVersion is the version of the running operator.
	// +optional
	OperatorVersion string `json:"operatorVersion,omitempty"`
	// outdatedVirtualMachineInstanceWorkloads counts VMIs still running on an old launcher image.
	// +optional
	OutdatedVirtualMachineInstanceWorkloads int32 `json:"outdatedVirtualMachineInstanceWorkloads,omitempty"`
	// phase is Deploying, Deployed, Deleting or Deleted.
	// +optional
	Phase KubeVirtPhase `json:"phase,omitempty"`
	// synchronizationAddresses lists the host:port addresses of the synchronization service.
	// +optional
	// +listType=atomic
	SynchronizationAddresses []string `json:"synchronizationAddresses,omitempty"`
	// targetDeploymentConfig is the deployment configuration being installed, as JSON.
	// +optional
	TargetDeploymentConfig string `json:"targetDeploymentConfig,omitempty"`
	// targetDeploymentID is a hash identifying targetDeploymentConfig.
	// +optional
	TargetDeploymentID string `json:"targetDeploymentID,omitempty"`
	// targetKubeVirtRegistry is the image registry of the version being installed.
	// +optional
	TargetKubeVirtRegistry string `json:"targetKubeVirtRegistry,omitempty"`
	// targetKubeVirtVersion is the version being installed.
	// +optional
	TargetKubeVirtVersion string `json:"targetKubeVirtVersion,omitempty"`
}

// ComponentConfig places a group of component pods.
type ComponentConfig struct {
	// nodePlacement says where the components' pods may run.
	// +optional
	NodePlacement *NodePlacement `json:"nodePlacement,omitempty"`
	// replicas is the number of replicas of each infrastructure deployment; defaults to 2 and turns
	// off automatic scaling.
	// +optional
	Replicas *uint8 `json:"replicas,omitempty"`
}

// CustomizeComponents changes the objects the operator creates.
type CustomizeComponents struct {
	// flags adds command-line flags to virt-api, virt-controller and virt-handler.
	// +optional
	Flags *Flags `json:"flags,omitempty"`
	// patches are patches applied to the objects the operator creates.
	// +optional
	// +listType=atomic
	Patches []CustomizeComponentsPatch `json:"patches,omitempty"`
}

// KubeVirtCertificateRotateStrategy says how component certificates are issued and rotated.
type KubeVirtCertificateRotateStrategy struct {
	// selfSigned configures the self-signed CA and the certificates it issues.
	// +optional
	SelfSigned *KubeVirtSelfSignConfiguration `json:"selfSigned,omitempty"`
}

// KubeVirtWorkloadUpdateStrategy says how running VMs move to new launcher images.
type KubeVirtWorkloadUpdateStrategy struct {
	// batchEvictionInterval is the wait between two batches of evictions; defaults to 1m.
	// +optional
	BatchEvictionInterval *metav1.Duration `json:"batchEvictionInterval,omitempty"`
	// batchEvictionSize is the number of VMIs evicted per batch; defaults to 10.
	// +optional
	BatchEvictionSize *int32 `json:"batchEvictionSize,omitempty"`
	// workloadUpdateMethods lists the allowed ways to update a VM: LiveMigrate and/or Evict; the least
	// disruptive one that works is used. No automatic updates when empty.
	// +optional
	// +listType=atomic
	WorkloadUpdateMethods []string `json:"workloadUpdateMethods,omitempty"`
}

// GenerationStatus records what the operator last applied to one object.
type GenerationStatus struct {
	// group is the API group of the object.
	// +required
	Group string `json:"group"`
	// hash is a content hash, for objects without a generation such as Secrets.
	// +optional
	Hash string `json:"hash,omitempty"`
	// lastGeneration is the object's generation when last applied.
	// +required
	LastGeneration int64 `json:"lastGeneration"`
	// name is the object's name.
	// +required
	Name string `json:"name"`
	// namespace is the object's namespace, if any.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// resource is the object's resource, e.g. deployments.
	// +required
	Resource string `json:"resource"`
}

// KubeVirtCondition is one condition of the KubeVirt object.
type KubeVirtCondition struct {
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
	// type names the condition, e.g. Available.
	// +required
	Type KubeVirtConditionType `json:"type"`
}

// NodePlacement constrains where pods run.
type NodePlacement struct {
	// affinity is added to the affinity of the components' pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// nodeSelector is added to the node selector of the components' pods.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// tolerations are added to the tolerations of the components' pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
}

// CustomizeComponentsPatch is one patch of an object the operator creates.
type CustomizeComponentsPatch struct {
	// patch is the patch document.
	// +required
	Patch string `json:"patch"`
	// resourceName is the name of the object to patch; * for all of its type.
	// +required
	ResourceName string `json:"resourceName"`
	// resourceType is the kind of the object to patch, e.g. Deployment.
	// +required
	ResourceType string `json:"resourceType"`
	// type is the patch type: json, merge or strategic.
	// +required
	Type string `json:"type"`
}

// Flags are extra command-line flags per component.
type Flags struct {
	// api maps flag names to values for virt-api.
	// +optional
	API map[string]string `json:"api,omitempty"`
	// controller maps flag names to values for virt-controller.
	// +optional
	Controller map[string]string `json:"controller,omitempty"`
	// handler maps flag names to values for virt-handler.
	// +optional
	Handler map[string]string `json:"handler,omitempty"`
}

// KubeVirtSelfSignConfiguration sets lifetimes of the self-signed CA and certificates.
type KubeVirtSelfSignConfiguration struct {
	// ca sets the CA certificate's lifetime; CA certificates stay in the bundle while valid.
	// +optional
	CA *CertConfig `json:"ca,omitempty"`
	// caOverlapInterval is deprecated; use ca.duration and ca.renewBefore.
	// +optional
	CAOverlapInterval *metav1.Duration `json:"caOverlapInterval,omitempty"`
	// caRotateInterval is deprecated; use ca.duration.
	// +optional
	CARotateInterval *metav1.Duration `json:"caRotateInterval,omitempty"`
	// certRotateInterval is deprecated; use server.duration.
	// +optional
	CERTRotateInterval *metav1.Duration `json:"certRotateInterval,omitempty"`
	// server sets the serving certificates' lifetime; they are replaced on rotation.
	// +optional
	Server *CertConfig `json:"server,omitempty"`
}

// CertConfig is the lifetime and renewal time of a certificate.
type CertConfig struct {
	// duration is the certificate's lifetime.
	// +optional
	Duration *metav1.Duration `json:"duration,omitempty"`
	// renewBefore is how long before expiry the certificate is renewed.
	// +optional
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`
}
