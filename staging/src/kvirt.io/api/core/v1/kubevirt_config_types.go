package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KubeVirtConfiguration is the cluster configuration the components read.
type KubeVirtConfiguration struct {
	// additionalGuestMemoryOverheadRatio multiplies the computed memory overhead of launcher pods, as
	// a decimal string of at least 1.0 (e.g. "1.2").
	// +optional
	AdditionalGuestMemoryOverheadRatio string `json:"additionalGuestMemoryOverheadRatio,omitempty"`
	// apiConfiguration tunes virt-api's client to the Kubernetes API.
	// +optional
	APIConfiguration *ReloadableComponentConfiguration `json:"apiConfiguration,omitempty"`
	// architectureConfiguration sets per-architecture machine types, allowed machine types and OVMF
	// paths, and the default architecture.
	// +optional
	ArchitectureConfiguration *ArchConfiguration `json:"architectureConfiguration,omitempty"`
	// autoCPULimitNamespaceLabelSelector gives launcher pods in matching namespaces a CPU limit equal
	// to their vCPUs.
	// +optional
	AutoCPULimitNamespaceLabelSelector *metav1.LabelSelector `json:"autoCPULimitNamespaceLabelSelector,omitempty"`
	// changedBlockTrackingLabelSelectors turns on changed block tracking, needed for incremental
	// backups, for matching VMs.
	// +optional
	ChangedBlockTrackingLabelSelectors *ChangedBlockTrackingSelectors `json:"changedBlockTrackingLabelSelectors,omitempty"`
	// commonInstancetypesDeployment controls whether the common instancetypes and preferences are
	// installed.
	// +optional
	CommonInstancetypesDeployment *CommonInstancetypesDeployment `json:"commonInstancetypesDeployment,omitempty"`
	// confidentialCompute configures confidential computing, such as TDX attestation.
	// +optional
	ConfidentialCompute *ConfidentialComputeConfiguration `json:"confidentialCompute,omitempty"`
	// controllerConfiguration tunes virt-controller's client to the Kubernetes API.
	// +optional
	ControllerConfiguration *ReloadableComponentConfiguration `json:"controllerConfiguration,omitempty"`
	// cpuModel is the CPU model of VMs that set none; host-model when empty.
	// +optional
	CPUModel string `json:"cpuModel,omitempty"`
	// cpuRequest is the CPU request of launcher pods whose VM sets none; defaults to 100m.
	// +optional
	CPURequest *resource.Quantity `json:"cpuRequest,omitempty"`
	// defaultRuntimeClass is the RuntimeClass of launcher pods.
	// +optional
	DefaultRuntimeClass string `json:"defaultRuntimeClass,omitempty"`
	// developerConfiguration holds feature gates, overcommit ratios, log levels and other tuning.
	// +optional
	DeveloperConfiguration *DeveloperConfiguration `json:"developerConfiguration,omitempty"`
	// emulatedMachines is deprecated; use architectureConfiguration.
	// +optional
	EmulatedMachines []string `json:"emulatedMachines,omitempty"`
	// evictionStrategy is the eviction strategy of VMIs that set none.
	// +optional
	EvictionStrategy *EvictionStrategy `json:"evictionStrategy,omitempty"`
	// handlerConfiguration tunes virt-handler's client to the Kubernetes API.
	// +optional
	HandlerConfiguration *ReloadableComponentConfiguration `json:"handlerConfiguration,omitempty"`
	// hypervisors lists the hypervisors the cluster offers: kvm or hyperv-direct.
	// +optional
	// +listType=atomic
	Hypervisors []HypervisorConfiguration `json:"hypervisors,omitempty"`
	// imagePullPolicy is the pull policy of images in VM workload pods (launcher pods and their
	// helpers): Always, IfNotPresent or Never.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// instancetype configures how VMs reference instancetypes and preferences.
	// +optional
	Instancetype *InstancetypeConfiguration `json:"instancetype,omitempty"`
	// ksmConfiguration turns on kernel samepage merging on matching nodes.
	// +optional
	KSMConfiguration *KSMConfiguration `json:"ksmConfiguration,omitempty"`
	// liveUpdateConfiguration sets the hotplug maximums of VMs that set none.
	// +optional
	LiveUpdateConfiguration *LiveUpdateConfiguration `json:"liveUpdateConfiguration,omitempty"`
	// machineType is deprecated; use architectureConfiguration.
	// +optional
	MachineType string `json:"machineType,omitempty"`
	// mediatedDevicesConfiguration says which mediated device types virt-handler creates on which
	// nodes.
	// +optional
	MediatedDevicesConfiguration *MediatedDevicesConfiguration `json:"mediatedDevicesConfiguration,omitempty"`
	// memBalloonStatsPeriod is the memory balloon's statistics period in seconds; 0 turns statistics
	// off. Defaults to 10.
	// +optional
	MemBalloonStatsPeriod *int64 `json:"memBalloonStatsPeriod,omitempty"`
	// migrations holds the cluster's live migration settings.
	// +optional
	Migrations *MigrationConfiguration `json:"migrations,omitempty"`
	// minCPUModel is deprecated and ignored.
	// +optional
	MinCPUModel string `json:"minCPUModel,omitempty"`
	// network holds network binding settings, including binding plugins.
	// +optional
	Network *NetworkConfiguration `json:"network,omitempty"`
	// obsoleteCPUModels lists CPU models never used for node labels or host-model; the map value is
	// ignored.
	// +optional
	ObsoleteCPUModels map[string]bool `json:"obsoleteCPUModels,omitempty"`
	// ovmfPath is deprecated; use architectureConfiguration.
	// +optional
	OVMFPath string `json:"ovmfPath,omitempty"`
	// permittedHostDevices lists the PCI, mediated and USB host devices VMs may use, with their
	// resource names.
	// +optional
	PermittedHostDevices *PermittedHostDevices `json:"permittedHostDevices,omitempty"`
	// persistentReservationConfiguration deploys the helper needed for SCSI persistent reservations.
	// +optional
	PersistentReservationConfiguration *PersistentReservationConfiguration `json:"persistentReservationConfiguration,omitempty"`
	// roleAggregationStrategy is AggregateToDefault (default: the KubeVirt roles extend admin, edit
	// and view) or Manual (no aggregation).
	// +optional
	RoleAggregationStrategy string `json:"roleAggregationStrategy,omitempty"`
	// seccompConfiguration sets the seccomp profile of launcher pods.
	// +optional
	SeccompConfiguration *SeccompConfiguration `json:"seccompConfiguration,omitempty"`
	// selinuxLauncherType is the SELinux type of the launcher's compute container.
	// +optional
	SelinuxLauncherType string `json:"selinuxLauncherType,omitempty"`
	// smbios sets the SMBIOS system information VMs see.
	// +optional
	SMBIOS *SMBiosConfiguration `json:"smbios,omitempty"`
	// supportContainerResources sets the resources of helper containers, by type (e.g.
	// hotplug-attachment, container-disk, virtiofs, sidecar, guest-console-log).
	// +optional
	// +listType=map
	// +listMapKey=type
	SupportContainerResources []SupportContainerResources `json:"supportContainerResources,omitempty"`
	// supportedGuestAgentVersions is deprecated and ignored.
	// +optional
	SupportedGuestAgentVersions []string `json:"supportedGuestAgentVersions,omitempty"`
	// tlsConfiguration sets the minimum TLS version and ciphers of the components' servers.
	// +optional
	TLSConfiguration *TLSConfiguration `json:"tlsConfiguration,omitempty"`
	// virtTemplateDeployment controls whether the VM template components are installed.
	// +optional
	VirtTemplateDeployment *VirtTemplateDeployment `json:"virtTemplateDeployment,omitempty"`
	// virtualMachineInstancesPerNode caps the number of VMIs per node.
	// +optional
	VirtualMachineInstancesPerNode *int32 `json:"virtualMachineInstancesPerNode,omitempty"`
	// virtualMachineOptions sets cluster-wide VM behaviours such as serial console logging.
	// +optional
	VirtualMachineOptions *VirtualMachineOptions `json:"virtualMachineOptions,omitempty"`
	// vmRolloutStrategy says how live-updatable VM changes (CPU sockets, memory, affinity,
	// tolerations) reach a running VMI: LiveUpdate (default, applied at once) or Stage (at the next
	// restart).
	// +optional
	VMRolloutStrategy string `json:"vmRolloutStrategy,omitempty"`
	// vmStateStorageClass is the storage class of PVCs that keep VM state such as TPM and EFI
	// variables.
	// +optional
	VMStateStorageClass string `json:"vmStateStorageClass,omitempty"`
	// webhookConfiguration tunes the webhook server's client to the Kubernetes API.
	// +optional
	WebhookConfiguration *ReloadableComponentConfiguration `json:"webhookConfiguration,omitempty"`
}

// ArchConfiguration holds per-architecture settings.
type ArchConfiguration struct {
	// amd64 holds the amd64 settings.
	// +optional
	Amd64 *ArchSpecificConfiguration `json:"amd64,omitempty"`
	// arm64 holds the arm64 settings.
	// +optional
	Arm64 *ArchSpecificConfiguration `json:"arm64,omitempty"`
	// defaultArchitecture is the architecture of VMs that set none.
	// +optional
	DefaultArchitecture string `json:"defaultArchitecture,omitempty"`
	// ppc64le is deprecated: ppc64le is not supported.
	// +optional
	Ppc64le *ArchSpecificConfiguration `json:"ppc64le,omitempty"`
	// s390x holds the s390x settings.
	// +optional
	S390x *ArchSpecificConfiguration `json:"s390x,omitempty"`
}

// ChangedBlockTrackingSelectors select VMs for changed block tracking.
type ChangedBlockTrackingSelectors struct {
	// namespaceLabelSelector selects namespaces whose VMs get changed block tracking.
	// +optional
	NamespaceLabelSelector *metav1.LabelSelector `json:"namespaceLabelSelector,omitempty"`
	// virtualMachineLabelSelector selects VMs that get changed block tracking.
	// +optional
	VirtualMachineLabelSelector *metav1.LabelSelector `json:"virtualMachineLabelSelector,omitempty"`
}

// CommonInstancetypesDeployment controls the common instancetypes.
type CommonInstancetypesDeployment struct {
	// enabled installs the common instancetypes and preferences; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ConfidentialComputeConfiguration configures confidential computing.
type ConfidentialComputeConfiguration struct {
	// tdx configures Intel TDX.
	// +optional
	TDX *TDXConfiguration `json:"tdx,omitempty"`
}

// DeveloperConfiguration holds feature gates and tuning.
type DeveloperConfiguration struct {
	// clusterProfiler enables pprof profiling of the control plane.
	// +optional
	ClusterProfiler *bool `json:"clusterProfiler,omitempty"`
	// cpuAllocationRatio is the vCPU overcommit: each vCPU requests 1/ratio of a host CPU; defaults to
	// 10.
	// +optional
	CPUAllocationRatio *int32 `json:"cpuAllocationRatio,omitempty"`
	// disabledFeatureGates lists feature gates to turn off; a gate may not be in both lists.
	// +optional
	// +listType=atomic
	DisabledFeatureGates []string `json:"disabledFeatureGates,omitempty"`
	// diskVerification caps the memory used to inspect disk images.
	// +optional
	DiskVerification *DiskVerification `json:"diskVerification,omitempty"`
	// featureGates lists feature gates to turn on.
	// +optional
	// +listType=atomic
	FeatureGates []string `json:"featureGates,omitempty"`
	// logVerbosity sets the log level of each component.
	// +optional
	LogVerbosity *LogVerbosity `json:"logVerbosity,omitempty"`
	// memoryOvercommit is guest memory as a percentage of the pod's memory request; above 100
	// overcommits. Defaults to 100.
	// +optional
	MemoryOvercommit *int32 `json:"memoryOvercommit,omitempty"`
	// minimumClusterTSCFrequency fixes the cluster's minimum TSC frequency, in Hz, instead of
	// measuring it.
	// +optional
	MinimumClusterTSCFrequency *int64 `json:"minimumClusterTSCFrequency,omitempty"`
	// minimumReservePVCBytes is the space, in bytes, left free on disk image PVCs; defaults to 131072.
	// +optional
	MinimumReservePVCBytes *int64 `json:"minimumReservePVCBytes,omitempty"`
	// nodeSelectors restricts VMIs to nodes with these labels.
	// +optional
	NodeSelectors map[string]string `json:"nodeSelectors,omitempty"`
	// pvcTolerateLessSpaceUpToPercent is how much smaller than requested, in percent, a disk PVC may
	// be; defaults to 10.
	// +optional
	PVCTolerateLessSpaceUpToPercent *int32 `json:"pvcTolerateLessSpaceUpToPercent,omitempty"`
	// useEmulation allows software emulation (TCG) where KVM is unavailable; defaults to false.
	// +optional
	UseEmulation *bool `json:"useEmulation,omitempty"`
}

// HypervisorConfiguration names a hypervisor.
type HypervisorConfiguration struct {
	// name is the hypervisor: kvm or hyperv-direct.
	// +optional
	Name string `json:"name,omitempty"`
}

// InstancetypeConfiguration configures instancetype references.
type InstancetypeConfiguration struct {
	// referencePolicy is how VMs keep instancetypes and preferences: reference (default, a
	// ControllerRevision copy), expand (write the values into the VM and drop the reference) or
	// expandAll (expand existing VMs too).
	// +optional
	ReferencePolicy string `json:"referencePolicy,omitempty"`
}

// KSMConfiguration configures kernel samepage merging.
type KSMConfiguration struct {
	// nodeLabelSelector selects the nodes where KSM runs; every node when empty.
	// +optional
	NodeLabelSelector *metav1.LabelSelector `json:"nodeLabelSelector,omitempty"`
}

// LiveUpdateConfiguration holds cluster hotplug maximums.
type LiveUpdateConfiguration struct {
	// maxCpuSockets is the hotplug maximum of sockets for VMs that set none.
	// +optional
	MaxCPUSockets *int64 `json:"maxCpuSockets,omitempty"`
	// maxGuest is the hotplug maximum of guest memory for VMs that set none.
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// maxHotplugRatio sets the hotplug maximums, when not given, as this multiple of the VM's initial
	// size; defaults to 4.
	// +optional
	MaxHotplugRatio *int64 `json:"maxHotplugRatio,omitempty"`
}

// MediatedDevicesConfiguration configures mediated devices.
type MediatedDevicesConfiguration struct {
	// enabled lets virt-handler create and remove mediated devices; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// mediatedDeviceTypes lists the mediated device types to create on every node.
	// +optional
	// +listType=atomic
	MediatedDeviceTypes []string `json:"mediatedDeviceTypes,omitempty"`
	// mediatedDevicesTypes is deprecated; use mediatedDeviceTypes.
	// +optional
	// +listType=atomic
	MediatedDevicesTypes []string `json:"mediatedDevicesTypes,omitempty"`
	// nodeMediatedDeviceTypes lists device types to create on nodes matching a selector, overriding
	// mediatedDeviceTypes there.
	// +optional
	// +listType=atomic
	NodeMediatedDeviceTypes []NodeMediatedDeviceTypesConfig `json:"nodeMediatedDeviceTypes,omitempty"`
}

// MigrationConfiguration holds the cluster's migration settings.
type MigrationConfiguration struct {
	// allowAutoConverge lets QEMU slow the guest's vCPUs so that a busy VM's migration can converge;
	// defaults to false.
	// +optional
	AllowAutoConverge *bool `json:"allowAutoConverge,omitempty"`
	// allowPostCopy lets a migration that does not converge switch to post-copy, where the guest runs
	// on the target while memory still arrives; a network failure then loses the VM. Defaults to
	// false.
	// +optional
	AllowPostCopy *bool `json:"allowPostCopy,omitempty"`
	// allowWorkloadDisruption lets a migration that exceeds its completion timeout switch to post-copy
	// or pause the guest instead of being cancelled; defaults to false.
	// +optional
	AllowWorkloadDisruption *bool `json:"allowWorkloadDisruption,omitempty"`
	// bandwidthPerMigration caps the network bandwidth of one migration, as a quantity per second; 0
	// (default) means no cap.
	// +optional
	BandwidthPerMigration *resource.Quantity `json:"bandwidthPerMigration,omitempty"`
	// completionTimeoutPerGiB is the time a migration may take, in seconds per GiB of guest memory,
	// before it is cancelled (or switched to post-copy when allowed); defaults to 150.
	// +optional
	CompletionTimeoutPerGiB *int64 `json:"completionTimeoutPerGiB,omitempty"`
	// disableTLS turns off KubeVirt's own TLS on the migration stream; defaults to false and is rarely
	// a good idea.
	// +optional
	DisableTLS *bool `json:"disableTLS,omitempty"`
	// matchSELinuxLevelOnMigration, when true, lets the container runtime pick the target pod's
	// SELinux level instead of copying the source's; defaults to false.
	// +optional
	MatchSELinuxLevelOnMigration *bool `json:"matchSELinuxLevelOnMigration,omitempty"`
	// maxDowntimeMs is the longest pause of the guest, in milliseconds, tolerated at switchover;
	// defaults to 900.
	// +optional
	MaxDowntimeMS *int64 `json:"maxDowntimeMs,omitempty"`
	// network names the Multus network migrations travel on; the pod network when empty.
	// +optional
	Network string `json:"network,omitempty"`
	// nodeDrainTaintKey is the taint key that marks a node to be drained; defaults to
	// kubevirt.io/drain.
	// +optional
	NodeDrainTaintKey string `json:"nodeDrainTaintKey,omitempty"`
	// parallelMigrationsPerCluster caps the number of migrations running at once in the cluster;
	// defaults to 5.
	// +optional
	ParallelMigrationsPerCluster *int64 `json:"parallelMigrationsPerCluster,omitempty"`
	// parallelOutboundMigrationsPerNode caps the number of migrations leaving one node at once;
	// defaults to 2.
	// +optional
	ParallelOutboundMigrationsPerNode *int64 `json:"parallelOutboundMigrationsPerNode,omitempty"`
	// progressTimeout is how long, in seconds, a migration may transfer no data before it is
	// cancelled; defaults to 150.
	// +optional
	ProgressTimeout *int64 `json:"progressTimeout,omitempty"`
	// unsafeMigrationOverride allows migrations the safety check would refuse; defaults to false.
	// +optional
	UnsafeMigrationOverride *bool `json:"unsafeMigrationOverride,omitempty"`
	// utilityVolumesTimeout is how long, in seconds, a migration may wait in Pending for utility
	// volumes to detach before it fails; defaults to 150.
	// +optional
	UtilityVolumesTimeout *int64 `json:"utilityVolumesTimeout,omitempty"`
}

// NetworkConfiguration holds network settings.
type NetworkConfiguration struct {
	// binding maps binding plugin names, used by interfaces' binding.name, to their definitions.
	// +optional
	Binding map[string]InterfaceBindingPlugin `json:"binding,omitempty"`
	// defaultNetworkInterface is the binding of the automatically added pod interface: bridge
	// (default) or masquerade.
	// +optional
	DefaultNetworkInterface string `json:"defaultNetworkInterface,omitempty"`
	// permitBridgeInterfaceOnPodNetwork allows bridge binding on the pod network; defaults to true.
	// +optional
	PermitBridgeInterfaceOnPodNetwork *bool `json:"permitBridgeInterfaceOnPodNetwork,omitempty"`
	// permitSlirpInterface is deprecated; slirp is discontinued.
	// +optional
	PermitSlirpInterface *bool `json:"permitSlirpInterface,omitempty"`
}

// PermittedHostDevices lists host devices VMs may use.
type PermittedHostDevices struct {
	// mediatedDevices lists permitted mediated devices.
	// +optional
	// +listType=atomic
	MediatedDevices []MediatedHostDevice `json:"mediatedDevices,omitempty"`
	// pciHostDevices lists permitted PCI devices.
	// +optional
	// +listType=atomic
	PCIHostDevices []PciHostDevice `json:"pciHostDevices,omitempty"`
	// usb lists permitted USB devices.
	// +optional
	// +listType=atomic
	USB []USBHostDevice `json:"usb,omitempty"`
}

// PersistentReservationConfiguration configures SCSI persistent reservations.
type PersistentReservationConfiguration struct {
	// enabled deploys the pr-helper needed for SCSI persistent reservations; defaults to false.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// ReloadableComponentConfiguration tunes a component without restarting it.
type ReloadableComponentConfiguration struct {
	// restClient tunes the component's client to the Kubernetes API; changes apply without a restart.
	// +optional
	RestClient *RESTClientConfiguration `json:"restClient,omitempty"`
}

// SMBiosConfiguration is SMBIOS system information.
type SMBiosConfiguration struct {
	// family is the SMBIOS system family.
	// +optional
	Family string `json:"family,omitempty"`
	// manufacturer is the SMBIOS system manufacturer.
	// +optional
	Manufacturer string `json:"manufacturer,omitempty"`
	// product is the SMBIOS product name.
	// +optional
	Product string `json:"product,omitempty"`
	// sku is the SMBIOS SKU number.
	// +optional
	Sku string `json:"sku,omitempty"`
	// version is the SMBIOS system version.
	// +optional
	Version string `json:"version,omitempty"`
}

// SeccompConfiguration configures seccomp.
type SeccompConfiguration struct {
	// virtualMachineInstanceProfile is the seccomp profile of launcher pods.
	// +optional
	VirtualMachineInstanceProfile *VirtualMachineInstanceProfile `json:"virtualMachineInstanceProfile,omitempty"`
}

// SupportContainerResources are the resources of one kind of helper container.
type SupportContainerResources struct {
	// resources are the requests and limits to use.
	// +required
	Resources ResourceRequirementsWithoutClaims `json:"resources"`
	// type is the kind of helper container these resources apply to.
	// +required
	Type string `json:"type"`
}

// TLSConfiguration configures the components' TLS servers.
type TLSConfiguration struct {
	// ciphers lists the allowed cipher suites, by their Go names; ignored for TLS 1.3.
	// +optional
	// +listType=set
	Ciphers []string `json:"ciphers,omitempty"`
	// minTLSVersion is VersionTLS10, VersionTLS11, VersionTLS12 or VersionTLS13.
	// +optional
	MinTLSVersion string `json:"minTLSVersion,omitempty"`
}

// VirtTemplateDeployment controls the VM template components.
type VirtTemplateDeployment struct {
	// enabled installs the VM template components; defaults to true when their feature gate is on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// VirtualMachineOptions are cluster-wide VM behaviours.
type VirtualMachineOptions struct {
	// disableFreePageReporting turns off free page reporting of the memory balloon for all VMs.
	// +optional
	DisableFreePageReporting *DisableFreePageReporting `json:"disableFreePageReporting,omitempty"`
	// disableSerialConsoleLog turns off serial console logging unless a VM asks for it.
	// +optional
	DisableSerialConsoleLog *DisableSerialConsoleLog `json:"disableSerialConsoleLog,omitempty"`
}

// ArchSpecificConfiguration holds the settings of one architecture.
type ArchSpecificConfiguration struct {
	// emulatedMachines lists the machine types VMs may use, as glob patterns.
	// +optional
	// +listType=atomic
	EmulatedMachines []string `json:"emulatedMachines,omitempty"`
	// machineType is the machine type of VMs that set none.
	// +optional
	MachineType string `json:"machineType,omitempty"`
	// ovmfPath is the directory of the EFI firmware files.
	// +optional
	OVMFPath string `json:"ovmfPath,omitempty"`
}

// TDXConfiguration configures Intel TDX.
type TDXConfiguration struct {
	// attestation configures TDX attestation.
	// +optional
	Attestation *TDXAttestationConfiguration `json:"attestation,omitempty"`
}

// DiskVerification limits disk image inspection.
type DiskVerification struct {
	// memoryLimit caps the memory of the process that inspects disk images.
	// +required
	MemoryLimit *resource.Quantity `json:"memoryLimit"`
}

// LogVerbosity sets component log levels.
type LogVerbosity struct {
	// nodeVerbosity maps node names to the virt-handler and virt-launcher log level on that node.
	// +optional
	NodeVerbosity map[string]int32 `json:"nodeVerbosity,omitempty"`
	// virtAPI is virt-api's log level.
	// +optional
	VirtAPI *int32 `json:"virtAPI,omitempty"`
	// virtController is virt-controller's log level.
	// +optional
	VirtController *int32 `json:"virtController,omitempty"`
	// virtHandler is virt-handler's log level.
	// +optional
	VirtHandler *int32 `json:"virtHandler,omitempty"`
	// virtLauncher is virt-launcher's log level.
	// +optional
	VirtLauncher *int32 `json:"virtLauncher,omitempty"`
	// virtOperator is virt-operator's log level.
	// +optional
	VirtOperator *int32 `json:"virtOperator,omitempty"`
	// virtSynchronizationController is upstream's synchronization controller's log
	// level; kvirt has no such component and refuses the field at admission.
	// +optional
	VirtSynchronizationController *int32 `json:"virtSynchronizationController,omitempty"`
}

// NodeMediatedDeviceTypesConfig sets mediated device types for some nodes.
type NodeMediatedDeviceTypesConfig struct {
	// mediatedDeviceTypes lists the device types to create on the selected nodes.
	// +optional
	// +listType=atomic
	MediatedDeviceTypes []string `json:"mediatedDeviceTypes,omitempty"`
	// mediatedDevicesTypes is deprecated; use mediatedDeviceTypes.
	// +optional
	// +listType=atomic
	MediatedDevicesTypes []string `json:"mediatedDevicesTypes,omitempty"`
	// nodeSelector selects the nodes by their labels.
	// +required
	NodeSelector map[string]string `json:"nodeSelector"`
}

// InterfaceBindingPlugin defines a network binding plugin.
type InterfaceBindingPlugin struct {
	// computeResourceOverhead is added to the compute container's resources when the binding is used.
	// +optional
	ComputeResourceOverhead *ResourceRequirementsWithoutClaims `json:"computeResourceOverhead,omitempty"`
	// domainAttachmentType is how the domain gets the interface without a sidecar: tap or managedTap.
	// +optional
	DomainAttachmentType string `json:"domainAttachmentType,omitempty"`
	// downwardAPI is the data given to the sidecar: device-info.
	// +optional
	DownwardAPI string `json:"downwardAPI,omitempty"`
	// migration, when set, declares VMs using the binding migratable.
	// +optional
	Migration *InterfaceBindingMigration `json:"migration,omitempty"`
	// networkAttachmentDefinition is a NetworkAttachmentDefinition (<name> or <namespace>/<name>) the
	// pod is attached to for this binding.
	// +optional
	NetworkAttachmentDefinition string `json:"networkAttachmentDefinition,omitempty"`
	// sidecarImage is the image of a sidecar in the launcher pod that configures the interface in the
	// domain.
	// +optional
	SidecarImage string `json:"sidecarImage,omitempty"`
}

// MediatedHostDevice permits a mediated device type.
type MediatedHostDevice struct {
	// externalResourceProvider leaves allocation of the device to an external device plugin.
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// mdevNameSelector is the mediated device type name to match.
	// +required
	MDEVNameSelector string `json:"mdevNameSelector"`
	// resourceName is the resource name VMs request the device by, e.g. nvidia.com/GRID_T4-1Q.
	// +required
	ResourceName string `json:"resourceName"`
}

// PciHostDevice permits a PCI device.
type PciHostDevice struct {
	// externalResourceProvider leaves allocation of the device to an external device plugin.
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// pciVendorSelector is the vendor:product ID to match, e.g. 10de:1eb8.
	// +required
	PCIVendorSelector string `json:"pciVendorSelector"`
	// resourceName is the resource name VMs request the device by, e.g. nvidia.com/TU104GL.
	// +required
	ResourceName string `json:"resourceName"`
}

// USBHostDevice permits a set of USB devices.
type USBHostDevice struct {
	// externalResourceProvider leaves allocation of the device to an external device plugin.
	// +optional
	ExternalResourceProvider *bool `json:"externalResourceProvider,omitempty"`
	// resourceName is the resource name VMs request the devices by.
	// +required
	ResourceName string `json:"resourceName"`
	// selectors lists the vendor and product IDs that together make up the resource.
	// +optional
	// +listType=atomic
	Selectors []USBSelector `json:"selectors,omitempty"`
}

// RESTClientConfiguration tunes a Kubernetes API client.
type RESTClientConfiguration struct {
	// rateLimiter limits the client's request rate.
	// +optional
	RateLimiter *RateLimiter `json:"rateLimiter,omitempty"`
}

// VirtualMachineInstanceProfile is the seccomp profile of launcher pods.
type VirtualMachineInstanceProfile struct {
	// customProfile is the profile to use.
	// +optional
	CustomProfile *CustomProfile `json:"customProfile,omitempty"`
}

// ResourceRequirementsWithoutClaims are requests and limits.
type ResourceRequirementsWithoutClaims struct {
	// limits are the resource limits.
	// +optional
	Limits corev1.ResourceList `json:"limits,omitempty"`
	// requests are the resource requests.
	// +optional
	Requests corev1.ResourceList `json:"requests,omitempty"`
}

// DisableFreePageReporting turns free page reporting off; it has no fields.
type DisableFreePageReporting struct {
}

// DisableSerialConsoleLog turns serial console logging off; it has no fields.
type DisableSerialConsoleLog struct {
}

// TDXAttestationConfiguration configures TDX attestation.
type TDXAttestationConfiguration struct {
	// enforced schedules TDX VMs only where the quote generation service runs.
	// +optional
	Enforced *bool `json:"enforced,omitempty"`
	// qgsSocketPath is the socket of the quote generation service.
	// +optional
	QgsSocketPath string `json:"qgsSocketPath,omitempty"`
}

// InterfaceBindingMigration declares how a binding migrates.
type InterfaceBindingMigration struct {
	// method is the migration method of the binding: link-refresh.
	// +optional
	Method string `json:"method,omitempty"`
}

// USBSelector matches a USB device by vendor and product.
type USBSelector struct {
	// product is the USB product ID in hex.
	// +required
	Product string `json:"product"`
	// vendor is the USB vendor ID in hex.
	// +required
	Vendor string `json:"vendor"`
}

// RateLimiter limits a client's request rate.
type RateLimiter struct {
	// tokenBucketRateLimiter limits requests with a token bucket.
	// +optional
	TokenBucketRateLimiter *TokenBucketRateLimiter `json:"tokenBucketRateLimiter,omitempty"`
}

// CustomProfile selects a seccomp profile.
type CustomProfile struct {
	// localhostProfile is a profile file under the kubelet's seccomp directory.
	// +optional
	LocalhostProfile string `json:"localhostProfile,omitempty"`
	// runtimeDefaultProfile uses the container runtime's default profile.
	// +optional
	RuntimeDefaultProfile *bool `json:"runtimeDefaultProfile,omitempty"`
}

// TokenBucketRateLimiter is a token bucket rate limit.
type TokenBucketRateLimiter struct {
	// burst is the largest burst of requests; 0 keeps the component default.
	// +required
	Burst int32 `json:"burst"`
	// qps is the sustained requests per second; 0 keeps the component default.
	// +required
	QPS float32 `json:"qps"`
}
