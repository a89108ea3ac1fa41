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
	// spec is the CPU, memory and devices the instancetype gives a VM.
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
	// items holds the instancetypes of the list.
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
	// spec is the CPU, memory and devices the instancetype gives a VM.
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
	// items holds the cluster instancetypes of the list.
	// +required
	Items []VirtualMachineClusterInstancetype `json:"items"`
}

// VirtualMachineInstancetypeSpec holds the resources an instancetype sets on a VM; the VM may not
// set them itself.
type VirtualMachineInstancetypeSpec struct {
	// annotations are set on the VMI; the VM may not give these keys other values.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// cpu is the number of vCPUs and how they are placed.
	// +required
	CPU CPUInstancetype `json:"cpu"`
	// gpus are added to the VMI's GPUs.
	// +optional
	// +listType=atomic
	GPUs []virtv1.GPU `json:"gpus,omitempty"`
	// hostDevices are added to the VMI's host devices.
	// +optional
	// +listType=atomic
	HostDevices []virtv1.HostDevice `json:"hostDevices,omitempty"`
	// ioThreads sizes the iothread pool of the supplementalPool policy.
	// +optional
	IOThreads *virtv1.DiskIOThreads `json:"ioThreads,omitempty"`
	// ioThreadsPolicy is the disks' iothread policy: shared, auto or supplementalPool.
	// +optional
	IOThreadsPolicy string `json:"ioThreadsPolicy,omitempty"`
	// launchSecurity is deprecated: use a preference's preferredLaunchSecurity.
	// +optional
	LaunchSecurity *virtv1.LaunchSecurity `json:"launchSecurity,omitempty"`
	// memory is the guest memory and how it is backed.
	// +required
	Memory MemoryInstancetype `json:"memory"`
	// nodeSelector is the node selector of the VMI; the VM must not set its own.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// schedulerName is the scheduler of the VMI; the VM must not set its own.
	// +optional
	SchedulerName string `json:"schedulerName,omitempty"`
}

// CPUInstancetype is an instancetype's CPU.
type CPUInstancetype struct {
	// dedicatedCPUPlacement pins each vCPU to a host CPU of its own.
	// +optional
	DedicatedCPUPlacement *bool `json:"dedicatedCPUPlacement,omitempty"`
	// guest is the number of vCPUs; the preference's preferredCPUTopology lays them out (one socket
	// each by default).
	// +required
	Guest int64 `json:"guest"`
	// isolateEmulatorThread gives QEMU's emulator thread one more dedicated host CPU.
	// +optional
	IsolateEmulatorThread *bool `json:"isolateEmulatorThread,omitempty"`
	// maxSockets is the most sockets CPU hotplug may grow the VM to.
	// +optional
	MaxSockets int64 `json:"maxSockets,omitempty"`
	// model is the CPU model the guest sees.
	// +optional
	Model string `json:"model,omitempty"`
	// numa sets the guest's NUMA topology.
	// +optional
	NUMA *virtv1.NUMA `json:"numa,omitempty"`
	// realtime tunes the vCPUs for low latency.
	// +optional
	Realtime *virtv1.Realtime `json:"realtime,omitempty"`
}

// MemoryInstancetype is an instancetype's memory.
type MemoryInstancetype struct {
	// guest is the memory the guest sees.
	// +required
	Guest *resource.Quantity `json:"guest"`
	// hugepages backs guest memory with hugepages.
	// +optional
	Hugepages *virtv1.Hugepages `json:"hugepages,omitempty"`
	// maxGuest is the most memory hotplug may grow the guest to.
	// +optional
	MaxGuest *resource.Quantity `json:"maxGuest,omitempty"`
	// overcommitPercent lowers the launcher pod's memory request below guest memory by this percentage
	// (0 to 100); exclusive with hugepages.
	// +optional
	OvercommitPercent int32 `json:"overcommitPercent,omitempty"`
}
