package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KubeVirtConfiguration is the type of KubeVirtSpec.configuration.
type KubeVirtConfiguration struct {
	// +optional
	AdditionalGuestMemoryOverheadRatio string `json:"additionalGuestMemoryOverheadRatio,omitempty"`
	// +optional
	APIConfiguration *ReloadableComponentConfiguration `json:"apiConfiguration,omitempty"`
	// +optional
	ArchitectureConfiguration *ArchConfiguration `json:"architectureConfiguration,omitempty"`
	// +optional
	AutoCPULimitNamespaceLabelSelector *metav1.LabelSelector `json:"autoCPULimitNamespaceLabelSelector,omitempty"`
	// +optional
	ChangedBlockTrackingLabelSelectors *ChangedBlockTrackingSelectors `json:"changedBlockTrackingLabelSelectors,omitempty"`
	// +optional
	CommonInstancetypesDeployment *CommonInstancetypesDeployment `json:"commonInstancetypesDeployment,omitempty"`
	// +optional
	ConfidentialCompute *ConfidentialComputeConfiguration `json:"confidentialCompute,omitempty"`
	// +optional
	ControllerConfiguration *ReloadableComponentConfiguration `json:"controllerConfiguration,omitempty"`
	// +optional
	CPUModel string `json:"cpuModel,omitempty"`
	// +optional
	CPURequest *resource.Quantity `json:"cpuRequest,omitempty"`
	// +optional
	DefaultRuntimeClass string `json:"defaultRuntimeClass,omitempty"`
	// +optional
	DeveloperConfiguration *DeveloperConfiguration `json:"developerConfiguration,omitempty"`
	// +optional
	EmulatedMachines []string `json:"emulatedMachines,omitempty"`
	// +optional
	EvictionStrategy *EvictionStrategy `json:"evictionStrategy,omitempty"`
	// +optional
	HandlerConfiguration *ReloadableComponentConfiguration `json:"handlerConfiguration,omitempty"`
	// +optional
	// +listType=atomic
	Hypervisors []HypervisorConfiguration `json:"hypervisors,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// +optional
	Instancetype *InstancetypeConfiguration `json:"instancetype,omitempty"`
	// +optional
	KSMConfiguration *KSMConfiguration `json:"ksmConfiguration,omitempty"`
	// +optional
	LiveUpdateConfiguration *LiveUpdateConfiguration `json:"liveUpdateConfiguration,omitempty"`
	// +optional
	MachineType string `json:"machineType,omitempty"`
	// +optional
	MediatedDevicesConfiguration *MediatedDevicesConfiguration `json:"mediatedDevicesConfiguration,omitempty"`
	// +optional
	MemBalloonStatsPeriod *int64 `json:"memBalloonStatsPeriod,omitempty"`
	// +optional
	Migrations *MigrationConfiguration `json:"migrations,omitempty"`
	// +optional
	MinCPUModel string `json:"minCPUModel,omitempty"`
	// +optional
	Network *NetworkConfiguration `json:"network,omitempty"`
	// +optional
	ObsoleteCPUModels map[string]bool `json:"obsoleteCPUModels,omitempty"`
	// +optional
	OVMFPath string `json:"ovmfPath,omitempty"`
	// +optional
	PermittedHostDevices *PermittedHostDevices `json:"permittedHostDevices,omitempty"`
	// +optional
	PersistentReservationConfiguration *PersistentReservationConfiguration `json:"persistentReservationConfiguration,omitempty"`
	// +optional
	RoleAggregationStrategy string `json:"roleAggregationStrategy,omitempty"`
	// +optional
	SeccompConfiguration *SeccompConfiguration `json:"seccompConfiguration,omitempty"`
	// +optional
	SelinuxLauncherType string `json:"selinuxLauncherType,omitempty"`
	// +optional
	SMBIOS *SMBiosConfiguration `json:"smbios,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	SupportContainerResources []SupportContainerResources `json:"supportContainerResources,omitempty"`
	// +optional
	SupportedGuestAgentVersions []string `json:"supportedGuestAgentVersions,omitempty"`
	// +optional
	TLSConfiguration *TLSConfiguration `json:"tlsConfiguration,omitempty"`
	// +optional
	VirtTemplateDeployment *VirtTemplateDeployment `json:"virtTemplateDeployment,omitempty"`
	// +optional
	VirtualMachineInstancesPerNode *int32 `json:"virtualMachineInstancesPerNode,omitempty"`
	// +optional
	VirtualMachineOptions *VirtualMachineOptions `json:"virtualMachineOptions,omitempty"`
	// +optional
	VMRolloutStrategy string `json:"vmRolloutStrategy,omitempty"`
	// +optional
	VMStateStorageClass string `json:"vmStateStorageClass,omitempty"`
	// +optional
	WebhookConfiguration *ReloadableComponentConfiguration `json:"webhookConfiguration,omitempty"`
}

// ArchConfiguration is the type of KubeVirtConfiguration.architectureConfiguration.
type ArchConfiguration struct {
	// +optional
	Amd64 *ArchSpecificConfiguration `json:"amd64,omitempty"`
	// +optional
	Arm64 *ArchSpecificConfiguration `json:"arm64,omitempty"`
	// +optional
	DefaultArchitecture string `json:"defaultArchitecture,omitempty"`
	// +optional
	Ppc64le *ArchSpecificConfiguration `json:"ppc64le,omitempty"`
	// +optional
	S390x *ArchSpecificConfiguration `json:"s390x,omitempty"`
}

// ChangedBlockTrackingSelectors is the type of KubeVirtConfiguration.changedBlockTrackingLabelSelectors.
type ChangedBlockTrackingSelectors struct {
	// +optional
	NamespaceLabelSelector *metav1.LabelSelector `json:"namespaceLabelSelector,omitempty"`
	// +optional
	VirtualMachineLabelSelector *metav1.LabelSelector `json:"virtualMachineLabelSelector,omitempty"`
}

// CommonInstancetypesDeployment is the type of KubeVirtConfiguration.commonInstancetypesDeployment.
type CommonInstancetypesDeployment struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ConfidentialComputeConfiguration is the type of KubeVirtConfiguration.confidentialCompute.
type ConfidentialComputeConfiguration struct {
	// +optional
	TDX *TDXConfiguration `json:"tdx,omitempty"`
}

// DeveloperConfiguration is the type of KubeVirtConfiguration.developerConfiguration.
type DeveloperConfiguration struct {
	// +optional
	ClusterProfiler *bool `json:"clusterProfiler,omitempty"`
	// +optional
	CPUAllocationRatio *int32 `json:"cpuAllocationRatio,omitempty"`
	// +optional
	// +listType=atomic
	DisabledFeatureGates []string `json:"disabledFeatureGates,omitempty"`
	// +optional
	DiskVerification *DiskVerification `json:"diskVerification,omitempty"`
	// +optional
	// +listType=atomic
	FeatureGates []string `json:"featureGates,omitempty"`
	// +optional
	LogVerbosity *LogVerbosity `json:"logVerbosity,omitempty"`
	// +optional
	MemoryOvercommit *int32 `json:"memoryOvercommit,omitempty"`
	// +optional
	MinimumClusterTSCFrequency *int64 `json:"minimumClusterTSCFrequency,omitempty"`
	// +optional
	MinimumReservePVCBytes *int64 `json:"minimumReservePVCBytes,omitempty"`
	// +optional
	NodeSelectors map[string]string `json:"nodeSelectors,omitempty"`
	// +optional
	PVCTolerateLessSpaceUpToPercent *int32 `json:"pvcTolerateLessSpaceUpToPercent,omitempty"`
	// +optional
	UseEmulation *bool `json:"useEmulation,omitempty"`
}

// HypervisorConfiguration is the type of KubeVirtConfiguration.hypervisors.
type HypervisorConfiguration struct {
	// +optional
	Name string `json:"name,omitempty"`
}

// InstancetypeConfiguration is the type of KubeVirtConfiguration.instancetype.
type InstancetypeConfiguration struct {
	// +optional
	ReferencePolicy string `json:"referencePolicy,omitempty"`
}

// KSMConfiguration is the type of KubeVirtConfiguration.ksmConfiguration.
type KSMConfiguration struct {
	// +optional
	NodeLabelSelector *metav1.LabelSelector `json:"nodeLabelSelector,omitempty"`
}

// LiveUpdateConfiguration is the type of KubeVirtConfiguration.liveUpdateConfiguration.
type LiveUpdateConfiguration struct {
	// +optional
	MaxCPUSockets *int64 `json:"maxCpuSockets,omitempty"`
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// +optional
	MaxHotplugRatio *int64 `json:"maxHotplugRatio,omitempty"`
}

// MediatedDevicesConfiguration is the type of KubeVirtConfiguration.mediatedDevicesConfiguration.
type MediatedDevicesConfiguration struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	// +listType=atomic
	MediatedDeviceTypes []string `json:"mediatedDeviceTypes,omitempty"`
	// +optional
	// +listType=atomic
	MediatedDevicesTypes []string `json:"mediatedDevicesTypes,omitempty"`
	// +optional
	// +listType=atomic
	NodeMediatedDeviceTypes []NodeMediatedDeviceTypesConfig `json:"nodeMediatedDeviceTypes,omitempty"`
}

// MigrationConfiguration is the type of KubeVirtConfiguration.migrations.
type MigrationConfiguration struct {
	// +optional
	AllowAutoConverge *bool `json:"allowAutoConverge,omitempty"`
	// +optional
	AllowPostCopy *bool `json:"allowPostCopy,omitempty"`
	// +optional
	AllowWorkloadDisruption *bool `json:"allowWorkloadDisruption,omitempty"`
	// +optional
	BandwidthPerMigration *resource.Quantity `json:"bandwidthPerMigration,omitempty"`
	// +optional
	CompletionTimeoutPerGiB *int64 `json:"completionTimeoutPerGiB,omitempty"`
	// +optional
	DisableTLS *bool `json:"disableTLS,omitempty"`
	// +optional
	MatchSELinuxLevelOnMigration *bool `json:"matchSELinuxLevelOnMigration,omitempty"`
	// +optional
	MaxDowntimeMS *int64 `json:"maxDowntimeMs,omitempty"`
	// +optional
	Network string `json:"network,omitempty"`
	// +optional
	NodeDrainTaintKey string `json:"nodeDrainTaintKey,omitempty"`
	// +optional
	ParallelMigrationsPerCluster *int64 `json:"parallelMigrationsPerCluster,omitempty"`
	// +optional
	ParallelOutboundMigrationsPerNode *int64 `json:"parallelOutboundMigrationsPerNode,omitempty"`
	// +optional
	ProgressTimeout *int64 `json:"progressTimeout,omitempty"`
	// +optional
	UnsafeMigrationOverride *bool `json:"unsafeMigrationOverride,omitempty"`
	// +optional
	UtilityVolumesTimeout *int64 `json:"utilityVolumesTimeout,omitempty"`
}

// NetworkConfiguration is the type of KubeVirtConfiguration.network.
type NetworkConfiguration struct {
	// +optional
	Binding map[string]InterfaceBindingPlugin `json:"binding,omitempty"`
	// +optional
	DefaultNetworkInterface string `json:"defaultNetworkInterface,omitempty"`
	// +optional
	PermitBridgeInterfaceOnPodNetwork *bool `json:"permitBridgeInterfaceOnPodNetwork,omitempty"`
	// +optional
	PermitSlirpInterface *bool `json:"permitSlirpInterface,omitempty"`
}

// PermittedHostDevices is the type of KubeVirtConfiguration.permittedHostDevices.
type PermittedHostDevices struct {
	// +optional
	// +listType=atomic
	MediatedDevices []MediatedHostDevice `json:"mediatedDevices,omitempty"`
	// +optional
	// +listType=atomic
	PCIHostDevices []PciHostDevice `json:"pciHostDevices,omitempty"`
	// +optional
	// +listType=atomic
	USB []USBHostDevice `json:"usb,omitempty"`
}

// PersistentReservationConfiguration is the type of KubeVirtConfiguration.persistentReservationConfiguration.
type PersistentReservationConfiguration struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ReloadableComponentConfiguration is the type of KubeVirtConfiguration.apiConfiguration.
type ReloadableComponentConfiguration struct {
	// +optional
	RestClient *RESTClientConfiguration `json:"restClient,omitempty"`
}

// SMBiosConfiguration is the type of KubeVirtConfiguration.smbios.
type SMBiosConfiguration struct {
	// +optional
	Family string `json:"family,omitempty"`
	// +optional
	Manufacturer string `json:"manufacturer,omitempty"`
	// +optional
	Product string `json:"product,omitempty"`
	// +optional
	Sku string `json:"sku,omitempty"`
	// +optional
	Version string `json:"version,omitempty"`
}

// SeccompConfiguration is the type of KubeVirtConfiguration.seccompConfiguration.
type SeccompConfiguration struct {
	// +optional
	VirtualMachineInstanceProfile *VirtualMachineInstanceProfile `json:"virtualMachineInstanceProfile,omitempty"`
}

// SupportContainerResources is the type of KubeVirtConfiguration.supportContainerResources.
type SupportContainerResources struct {
	// +required
	Resources ResourceRequirementsWithoutClaims `json:"resources"`
	// +required
	Type string `json:"type"`
}

// TLSConfiguration is the type of KubeVirtConfiguration.tlsConfiguration.
type TLSConfiguration struct {
	// +optional
	// +listType=set
	Ciphers []string `json:"ciphers,omitempty"`
	// +optional
	MinTLSVersion string `json:"minTLSVersion,omitempty"`
}

// VirtTemplateDeployment is the type of KubeVirtConfiguration.virtTemplateDeployment.
type VirtTemplateDeployment struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// VirtualMachineOptions is the type of KubeVirtConfiguration.virtualMachineOptions.
type VirtualMachineOptions struct {
	// +optional
	DisableFreePageReporting *DisableFreePageReporting `json:"disableFreePageReporting,omitempty"`
	// +optional
	DisableSerialConsoleLog *DisableSerialConsoleLog `json:"disableSerialConsoleLog,omitempty"`
}

// ArchSpecificConfiguration is the type of ArchConfiguration.amd64.
type ArchSpecificConfiguration struct {
	// +optional
	// +listType=atomic
	EmulatedMachines []string `json:"emulatedMachines,omitempty"`
	// +optional
	MachineType string `json:"machineType,omitempty"`
	// +optional
	OVMFPath string `json:"ovmfPath,omitempty"`
}

// TDXConfiguration is the type of ConfidentialComputeConfiguration.tdx.
type TDXConfiguration struct {
	// +optional
	Attestation *TDXAttestationConfiguration `json:"attestation,omitempty"`
}

// DiskVerification is the type of DeveloperConfiguration.diskVerification.
type DiskVerification struct {
	// +required
	MemoryLimit *resource.Quantity `json:"memoryLimit"`
}

// LogVerbosity is the type of DeveloperConfiguration.logVerbosity.
type LogVerbosity struct {
	// +optional
	NodeVerbosity map[string]int32 `json:"nodeVerbosity,omitempty"`
	// +optional
	VirtAPI *int32 `json:"virtAPI,omitempty"`
	// +optional
	VirtController *int32 `json:"virtController,omitempty"`
	// +optional
	VirtHandler *int32 `json:"virtHandler,omitempty"`
	// +optional
	VirtLauncher *int32 `json:"virtLauncher,omitempty"`
	// +optional
	VirtOperator *int32 `json:"virtOperator,omitempty"`
	// +optional
	VirtSynchronizationController *int32 `json:"virtSynchronizationController,omitempty"`
}

// NodeMediatedDeviceTypesConfig is the type of MediatedDevicesConfiguration.nodeMediatedDeviceTypes.
type NodeMediatedDeviceTypesConfig struct {
	// +optional
	// +listType=atomic
	MediatedDeviceTypes []string `json:"mediatedDeviceTypes,omitempty"`
	// +optional
	// +listType=atomic
	MediatedDevicesTypes []string `json:"mediatedDevicesTypes,omitempty"`
	// +required
	NodeSelector map[string]string `json:"nodeSelector"`
}

// InterfaceBindingPlugin is the type of NetworkConfiguration.binding.
type InterfaceBindingPlugin struct {
	// +optional
	ComputeResourceOverhead *ResourceRequirementsWithoutClaims `json:"computeResourceOverhead,omitempty"`
	// +optional
	DomainAttachmentType string `json:"domainAttachmentType,omitempty"`
	// +optional
	DownwardAPI string `json:"downwardAPI,omitempty"`
	// +optional
	Migration *InterfaceBindingMigration `json:"migration,omitempty"`
	// +optional
	NetworkAttachmentDefinition string `json:"networkAttachmentDefinition,omitempty"`
	// +optional
	SidecarImage string `json:"sidecarImage,omitempty"`
}

// MediatedHostDevice is the type of PermittedHostDevices.mediatedDevices.
type MediatedHostDevice struct {
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// +required
	MDEVNameSelector string `json:"mdevNameSelector"`
	// +required
	ResourceName string `json:"resourceName"`
}

// PciHostDevice is the type of PermittedHostDevices.pciHostDevices.
type PciHostDevice struct {
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// +required
	PCIVendorSelector string `json:"pciVendorSelector"`
	// +required
	ResourceName string `json:"resourceName"`
}

// USBHostDevice is the type of PermittedHostDevices.usb.
type USBHostDevice struct {
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// +required
	ResourceName string `json:"resourceName"`
	// +optional
	// +listType=atomic
	Selectors []USBSelector `json:"selectors,omitempty"`
}

// RESTClientConfiguration is the type of ReloadableComponentConfiguration.restClient.
type RESTClientConfiguration struct {
	// +optional
	RateLimiter *RateLimiter `json:"rateLimiter,omitempty"`
}

// VirtualMachineInstanceProfile is the type of SeccompConfiguration.virtualMachineInstanceProfile.
type VirtualMachineInstanceProfile struct {
	// +optional
	CustomProfile *CustomProfile `json:"customProfile,omitempty"`
}

// ResourceRequirementsWithoutClaims is the type of InterfaceBindingPlugin.computeResourceOverhead.
type ResourceRequirementsWithoutClaims struct {
	// +optional
	Limits corev1.ResourceList `json:"limits,omitempty"`
	// +optional
	Requests corev1.ResourceList `json:"requests,omitempty"`
}

// DisableFreePageReporting is the type of VirtualMachineOptions.disableFreePageReporting.
type DisableFreePageReporting struct {
}

// DisableSerialConsoleLog is the type of VirtualMachineOptions.disableSerialConsoleLog.
type DisableSerialConsoleLog struct {
}

// TDXAttestationConfiguration is the type of TDXConfiguration.attestation.
type TDXAttestationConfiguration struct {
	// +optional
	Enforced *bool `json:"enforced,omitempty"`
	// +optional
	QgsSocketPath string `json:"qgsSocketPath,omitempty"`
}

// InterfaceBindingMigration is the type of InterfaceBindingPlugin.migration.
type InterfaceBindingMigration struct {
	// +optional
	Method string `json:"method,omitempty"`
}

// USBSelector is the type of USBHostDevice.selectors.
type USBSelector struct {
	// +required
	Product string `json:"product"`
	// +required
	Vendor string `json:"vendor"`
}

// RateLimiter is the type of RESTClientConfiguration.rateLimiter.
type RateLimiter struct {
	// +optional
	TokenBucketRateLimiter *TokenBucketRateLimiter `json:"tokenBucketRateLimiter,omitempty"`
}

// CustomProfile is the type of VirtualMachineInstanceProfile.customProfile.
type CustomProfile struct {
	// +optional
	LocalhostProfile string `json:"localhostProfile,omitempty"`
	// +optional
	RuntimeDefaultProfile *bool `json:"runtimeDefaultProfile,omitempty"`
}

// TokenBucketRateLimiter is the type of RateLimiter.tokenBucketRateLimiter.
type TokenBucketRateLimiter struct {
	// +required
	Burst int32 `json:"burst"`
	// +required
	QPS float32 `json:"qps"`
}
