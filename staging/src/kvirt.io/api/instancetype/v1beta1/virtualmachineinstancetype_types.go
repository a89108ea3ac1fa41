package v1beta1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// VirtualMachineInstancetype is a namespaced set of CPU and memory resources (a "flavor")
// that a VirtualMachine can reference instead of sizing its own domain.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=vminstancetype;vminstancetypes;vmf;vmfs,categories=all
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstancetype struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachineInstancetypeSpec `json:"spec"`
}

// VirtualMachineInstancetypeList is a list of VirtualMachineInstancetypes.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstancetypeList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	Items []VirtualMachineInstancetype `json:"items"`
}

// VirtualMachineClusterInstancetype is the cluster-scoped VirtualMachineInstancetype.
//
// +genclient
// +genclient:nonNamespaced
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:scope=Cluster,shortName=vmclusterinstancetype;vmclusterinstancetypes;vmcf;vmcfs
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineClusterInstancetype struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +required
	Spec VirtualMachineInstancetypeSpec `json:"spec"`
}

// VirtualMachineClusterInstancetypeList is a list of VirtualMachineClusterInstancetypes.
//
// +kubebuilder:object:root=true
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineClusterInstancetypeList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// +required
	Items []VirtualMachineClusterInstancetype `json:"items"`
}

// VirtualMachineInstancetypeSpec is the type of VirtualMachineClusterInstancetype.spec.
type VirtualMachineInstancetypeSpec struct {
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// +required
	CPU CPUInstancetype `json:"cpu"`
	// +optional
	// +listType=atomic
	GPUs []virtv1.GPU `json:"gpus,omitempty"`
	// +optional
	// +listType=atomic
	HostDevices []virtv1.HostDevice `json:"hostDevices,omitempty"`
	// +optional
	IOThreads *virtv1.DiskIOThreads `json:"ioThreads,omitempty"`
	// +optional
	IOThreadsPolicy string `json:"ioThreadsPolicy,omitempty"`
	// +optional
	LaunchSecurity *virtv1.LaunchSecurity `json:"launchSecurity,omitempty"`
	// +required
	Memory MemoryInstancetype `json:"memory"`
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// +optional
	SchedulerName string `json:"schedulerName,omitempty"`
}

// CPUInstancetype is the type of VirtualMachineInstancetypeSpec.cpu.
type CPUInstancetype struct {
	// +optional
	DedicatedCPUPlacement *bool `json:"dedicatedCPUPlacement,omitempty"`
	// +required
	Guest int64 `json:"guest"`
	// +optional
	IsolateEmulatorThread *bool `json:"isolateEmulatorThread,omitempty"`
	// +optional
	MaxSockets int64 `json:"maxSockets,omitempty"`
	// +optional
	Model string `json:"model,omitempty"`
	// +optional
	NUMA *virtv1.NUMA `json:"numa,omitempty"`
	// +optional
	Realtime *virtv1.Realtime `json:"realtime,omitempty"`
}

// MemoryInstancetype is the type of VirtualMachineInstancetypeSpec.memory.
type MemoryInstancetype struct {
	// +required
	Guest *resource.Quantity `json:"guest"`
	// +optional
	Hugepages *virtv1.Hugepages `json:"hugepages,omitempty"`
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// +optional
	OvercommitPercent int32 `json:"overcommitPercent,omitempty"`
}
