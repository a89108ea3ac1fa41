package v1

import "time"

// Well-known label, annotation and finalizer keys, with upstream's strings. Every
// component refers to these constants rather than repeating the strings.
const (
	// AppLabel marks kvirt's own objects; its value names the component (virt-launcher, ...).
	AppLabel = "kubevirt.io"
	// CreatedByLabel on a launcher pod holds the UID of its VMI.
	CreatedByLabel = "kubevirt.io/created-by"
	// DomainAnnotation on a launcher pod holds the VMI name.
	DomainAnnotation = "kubevirt.io/domain"
	// NodeNameLabel on a VMI names the node whose virt-handler owns it.
	NodeNameLabel = "kubevirt.io/nodeName"
	// VirtualMachineLabel is the conventional label tying a VMI template to its VM.
	VirtualMachineLabel = "kubevirt.io/vm"
	// VirtualMachineNameLabel on a launcher pod holds the VMI's hostname (its name
	// unless spec.hostname says otherwise).
	VirtualMachineNameLabel = "vm.kubevirt.io/name"
	// VirtualMachineInstanceIDLabel on a launcher pod identifies its VMI by name
	// (names longer than 63 characters are truncated and hashed): what
	// `virtctl expose vm|vmi` selects.
	VirtualMachineInstanceIDLabel = "kubevirt.io/vmi-id"
	// ControllerAPILatestVersionObservedAnnotation and
	// ControllerAPIStorageVersionObservedAnnotation record, on the objects the
	// controllers manage, the newest and the storage version of kubevirt.io they
	// work with (APILatestVersion, APIStorageVersion). Scripts build subresource
	// URLs from them.
	ControllerAPILatestVersionObservedAnnotation  = "kubevirt.io/latest-observed-api-version"
	ControllerAPIStorageVersionObservedAnnotation = "kubevirt.io/storage-observed-api-version"
	// APILatestVersion is the newest served version of kubevirt.io.
	APILatestVersion = "v1"
	// APIStorageVersion is the version kubevirt.io objects are stored in.
	APIStorageVersion = "v1"
	// MigrationJobLabel on a target pod holds the migration UID.
	MigrationJobLabel = "kubevirt.io/migrationJobUID"
	// MigrationTargetNodeNameLabel on a VMI names the node it migrates to.
	MigrationTargetNodeNameLabel = "kubevirt.io/migrationTargetNodeName"
	// MigrationSelectorLabel on a VMIM holds the VMI name.
	MigrationSelectorLabel = "kubevirt.io/vmi-name"
	// NodeSchedulable on a node says whether virt-handler accepts new VMIs there.
	NodeSchedulable = "kubevirt.io/schedulable"
	// VirtHandlerHeartbeat on a node holds the last heartbeat time of virt-handler.
	VirtHandlerHeartbeat = "kubevirt.io/heartbeat"
	// NodeAPIAddressAnnotation (kvirt's own key) on a node holds the host:port of
	// virt-handler's node API there; an empty host means the node's InternalIP.
	NodeAPIAddressAnnotation = "node.kvirt.io/node-api-address"
	// NodeHeartbeatTimeoutAnnotation (kvirt's own key; upstream fixes five
	// minutes) on the KubeVirt CR is a Go duration, at least 30s: how old
	// virt-handler's node heartbeat may get before virt-controller labels the
	// node unschedulable and, once the node is NotReady, fails its VMIs with
	// reason NodeUnresponsive. virt-handler then beats every fifth of it (at
	// most once a minute).
	NodeHeartbeatTimeoutAnnotation = "kvirt.io/node-heartbeat-timeout"
	// PresetAnnotationPrefix, followed by a preset's name, is the annotation key the
	// VMI mutating webhook sets on a VMI for each preset it applied; the value is
	// the group version of the preset API (kubevirt.io/v1).
	PresetAnnotationPrefix = "virtualmachinepreset.kubevirt.io/"
	// PresetExcludeAnnotation set to "true" on a VMI opts it out of every preset.
	PresetExcludeAnnotation = "virtualmachineinstancepresets.admission.kubevirt.io/exclude"

	// VirtualMachineInstanceFinalizer is added to every VMI so its pod is cleaned up first.
	VirtualMachineInstanceFinalizer = "kubevirt.io/foregroundDeleteVirtualMachine"
	// VirtualMachineControllerFinalizer is added to VMs by the VM controller.
	VirtualMachineControllerFinalizer = "kubevirt.io/virtualMachineControllerFinalize"
	// VirtualMachineInstanceMigrationFinalizer is added to migrations.
	VirtualMachineInstanceMigrationFinalizer = "kubevirt.io/migrationJobFinalize"
)

// MinNodeHeartbeatTimeout is the smallest NodeHeartbeatTimeoutAnnotation the
// KubeVirt webhook accepts (and virt-controller's --node-heartbeat-timeout):
// virt-handler beats every fifth of the timeout, so it stays a few seconds.
const MinNodeHeartbeatTimeout = 30 * time.Second
