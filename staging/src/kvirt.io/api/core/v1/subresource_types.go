package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StartOptions is the body of a PUT to virtualmachines/NAME/start.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type StartOptions struct {
	metav1.TypeMeta `json:",inline"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// paused starts the VM paused.
	// +optional
	Paused *bool `json:"paused,omitempty"`
}

// StopOptions is the body of a PUT to virtualmachines/NAME/stop.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type StopOptions struct {
	metav1.TypeMeta `json:",inline"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// gracePeriod overrides the VMI's termination grace period, in seconds; 0 stops it at once.
	// +optional
	GracePeriod *int64 `json:"gracePeriod,omitempty"`
}

// RestartOptions is the body of a PUT to virtualmachines/NAME/restart.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type RestartOptions struct {
	metav1.TypeMeta `json:",inline"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// gracePeriodSeconds may only be 0, which kills the running instance at once instead of shutting
	// it down.
	// +optional
	GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
}

// MigrateOptions is the body of a PUT to virtualmachines/NAME/migrate.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type MigrateOptions struct {
	metav1.TypeMeta `json:",inline"`
	// addedNodeSelector adds node labels the target node must carry.
	// +optional
	AddedNodeSelector map[string]string `json:"addedNodeSelector,omitempty"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// PauseOptions is the body of a PUT to virtualmachineinstances/NAME/pause.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type PauseOptions struct {
	metav1.TypeMeta `json:",inline"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// UnpauseOptions is the body of a PUT to virtualmachineinstances/NAME/unpause.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type UnpauseOptions struct {
	metav1.TypeMeta `json:",inline"`
	// dryRun, when it holds "All", checks the request without acting on it.
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// VirtualMachineInstanceGuestAgentInfo is the answer of virtualmachineinstances/NAME/guestosinfo.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceGuestAgentInfo struct {
	metav1.TypeMeta `json:",inline"`
	// fsFreezeStatus is frozen or thawed: the guest filesystems' freeze state.
	// +optional
	FsFreezeStatus string `json:"fsFreezeStatus,omitempty"`
	// fsInfo lists the guest's mounted filesystems.
	// +optional
	FsInfo VirtualMachineInstanceFileSystemInfo `json:"fsInfo,omitempty"`
	// guestAgentVersion is the version of the QEMU guest agent.
	// +optional
	GuestAgentVersion string `json:"guestAgentVersion,omitempty"`
	// hostname is the guest's host name.
	// +optional
	Hostname string `json:"hostname,omitempty"`
	// os describes the guest OS.
	// +optional
	OS VirtualMachineInstanceGuestOSInfo `json:"os,omitempty"`
	// supportedCommands lists the agent's commands and whether each is enabled.
	// +optional
	// +listType=atomic
	SupportedCommands []GuestAgentCommandInfo `json:"supportedCommands,omitempty"`
	// timezone is the guest's time zone and UTC offset, e.g. "CET, 3600".
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// userList lists the users logged into the guest.
	// +optional
	UserList []VirtualMachineInstanceGuestOSUser `json:"userList,omitempty"`
}

// VirtualMachineInstanceGuestOSUserList is the answer of virtualmachineinstances/NAME/userlist.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceGuestOSUserList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the logged-in users.
	// +required
	Items []VirtualMachineInstanceGuestOSUser `json:"items"`
}

// VirtualMachineInstanceFileSystemList is the answer of virtualmachineinstances/NAME/filesystemlist.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceFileSystemList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items holds the mounted filesystems.
	// +required
	Items []VirtualMachineInstanceFileSystem `json:"items"`
}

// GuestAgentCommandInfo is one command of the guest agent.
type GuestAgentCommandInfo struct {
	// enabled is true when the command may be used.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// name is the agent command, e.g. guest-exec.
	// +required
	Name string `json:"name"`
}

// VirtualMachineInstanceFileSystemInfo lists the guest's filesystems.
type VirtualMachineInstanceFileSystemInfo struct {
	// disks lists the mounted filesystems.
	// +required
	Disks []VirtualMachineInstanceFileSystem `json:"disks"`
}

// VirtualMachineInstanceGuestOSUser is one logged-in guest user.
type VirtualMachineInstanceGuestOSUser struct {
	// domain is the user's domain (Windows guests).
	// +optional
	Domain string `json:"domain,omitempty"`
	// loginTime is when the user logged in, in seconds since the Unix epoch.
	// +optional
	LoginTime float64 `json:"loginTime,omitempty"`
	// userName is the user's name.
	// +required
	UserName string `json:"userName"`
}

// VirtualMachineInstanceFileSystem is one mounted guest filesystem.
type VirtualMachineInstanceFileSystem struct {
	// disk lists the disks the filesystem lives on.
	// +optional
	Disk []VirtualMachineInstanceFileSystemDisk `json:"disk,omitempty"`
	// diskName is the guest's name for the device, e.g. vda1.
	// +required
	DiskName string `json:"diskName"`
	// fileSystemType is the filesystem type, e.g. xfs or ntfs.
	// +required
	FileSystemType string `json:"fileSystemType"`
	// mountPoint is where the filesystem is mounted.
	// +required
	MountPoint string `json:"mountPoint"`
	// totalBytes is the filesystem's size in bytes.
	// +required
	TotalBytes int32 `json:"totalBytes"`
	// usedBytes is the space used, in bytes.
	// +required
	UsedBytes int32 `json:"usedBytes"`
}

// VirtualMachineInstanceFileSystemDisk is one disk under a guest filesystem.
type VirtualMachineInstanceFileSystemDisk struct {
	// busType is the bus of the disk, e.g. virtio or sata.
	// +required
	BusType string `json:"busType"`
	// serial is the disk's serial number.
	// +optional
	Serial string `json:"serial,omitempty"`
}
