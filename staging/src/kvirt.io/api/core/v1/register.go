package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the API group of every kind in this package.
const GroupName = "kubevirt.io"

// SubresourceGroupName is the API group of the aggregated subresource API served by virt-api.
const SubresourceGroupName = "subresources.kubevirt.io"

// SchemeGroupVersion is kubevirt.io/v1.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1"}

// DeprecatedVersion is kubevirt.io/v1alpha3: served for every kind of the group
// with the same schema as v1 (objects are stored as v1), for older manifests.
// The Go types are registered under v1 only.
const DeprecatedVersion = "v1alpha3"

// SubresourceGroupVersion is subresources.kubevirt.io/v1.
var SubresourceGroupVersion = schema.GroupVersion{Group: SubresourceGroupName, Version: "v1"}

// Kind-qualified GroupVersionKinds used when setting owner references.
var (
	VirtualMachineGroupVersionKind                   = SchemeGroupVersion.WithKind("VirtualMachine")
	VirtualMachineInstanceGroupVersionKind           = SchemeGroupVersion.WithKind("VirtualMachineInstance")
	VirtualMachineInstanceMigrationGroupVersionKind  = SchemeGroupVersion.WithKind("VirtualMachineInstanceMigration")
	VirtualMachineInstanceReplicaSetGroupVersionKind = SchemeGroupVersion.WithKind("VirtualMachineInstanceReplicaSet")
	VirtualMachineInstancePresetGroupVersionKind     = SchemeGroupVersion.WithKind("VirtualMachineInstancePreset")
	KubeVirtGroupVersionKind                         = SchemeGroupVersion.WithKind("KubeVirt")
)

// Resource returns a GroupResource of kubevirt.io for the given resource name.
func Resource(resource string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(resource).GroupResource()
}

var (
	// SchemeBuilder registers the kubevirt.io/v1 and subresources.kubevirt.io/v1 types.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes, addSubresourceTypes)
	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(SchemeGroupVersion,
		&VirtualMachine{}, &VirtualMachineList{},
		&VirtualMachineInstance{}, &VirtualMachineInstanceList{},
		&VirtualMachineInstanceMigration{}, &VirtualMachineInstanceMigrationList{},
		&VirtualMachineInstanceReplicaSet{}, &VirtualMachineInstanceReplicaSetList{},
		&VirtualMachineInstancePreset{}, &VirtualMachineInstancePresetList{},
		&KubeVirt{}, &KubeVirtList{},
	)
	metav1.AddToGroupVersion(scheme, SchemeGroupVersion)
	return nil
}

func addSubresourceTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(SubresourceGroupVersion,
		&StartOptions{}, &StopOptions{}, &RestartOptions{}, &MigrateOptions{},
		&PauseOptions{}, &UnpauseOptions{},
		&VirtualMachineInstanceGuestAgentInfo{},
		&VirtualMachineInstanceGuestOSUserList{},
		&VirtualMachineInstanceFileSystemList{},
	)
	metav1.AddToGroupVersion(scheme, SubresourceGroupVersion)
	return nil
}
