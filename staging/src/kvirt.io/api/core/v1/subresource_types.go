package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StartOptions is the body of a PUT to virtualmachines/NAME/start.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type StartOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// +optional
	Paused *bool `json:"paused,omitempty"`
}

// StopOptions is the body of a PUT to virtualmachines/NAME/stop.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type StopOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// +optional
	GracePeriod *int64 `json:"gracePeriod,omitempty"`
}

// RestartOptions is the body of a PUT to virtualmachines/NAME/restart.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type RestartOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
	// +optional
	GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
}

// MigrateOptions is the body of a PUT to virtualmachines/NAME/migrate.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type MigrateOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	AddedNodeSelector map[string]string `json:"addedNodeSelector,omitempty"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// PauseOptions is the body of a PUT to virtualmachineinstances/NAME/pause.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type PauseOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// UnpauseOptions is the body of a PUT to virtualmachineinstances/NAME/unpause.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type UnpauseOptions struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	// +listType=atomic
	DryRun []string `json:"dryRun,omitempty"`
}

// VirtualMachineInstanceGuestAgentInfo is the answer of virtualmachineinstances/NAME/guestosinfo.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type VirtualMachineInstanceGuestAgentInfo struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	FsFreezeStatus string `json:"fsFreezeStatus,omitempty"`
	// +optional
	FsInfo VirtualMachineInstanceFileSystemInfo `json:"fsInfo,omitempty"`
	// +optional
	GuestAgentVersion string `json:"guestAgentVersion,omitempty"`
	// +optional
	Hostname string `json:"hostname,omitempty"`
	// +optional
	OS VirtualMachineInstanceGuestOSInfo `json:"os,omitempty"`
	// +optional
	// +listType=atomic
	SupportedCommands []GuestAgentCommandInfo `json:"supportedCommands,omitempty"`
	// +optional
	Timezone string `json:"timezone,omitempty"`
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
	// +required
	Items []VirtualMachineInstanceFileSystem `json:"items"`
}

// GuestAgentCommandInfo is the type of VirtualMachineInstanceGuestAgentInfo.supportedCommands.
type GuestAgentCommandInfo struct {
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// +required
	Name string `json:"name"`
}

// VirtualMachineInstanceFileSystemInfo is the type of VirtualMachineInstanceGuestAgentInfo.fsInfo.
type VirtualMachineInstanceFileSystemInfo struct {
	// +required
	Disks []VirtualMachineInstanceFileSystem `json:"disks"`
}

// VirtualMachineInstanceGuestOSUser is the type of VirtualMachineInstanceGuestAgentInfo.userList.
type VirtualMachineInstanceGuestOSUser struct {
	// +optional
	Domain string `json:"domain,omitempty"`
	// +optional
	LoginTime float64 `json:"loginTime,omitempty"`
	// +required
	UserName string `json:"userName"`
}

// VirtualMachineInstanceFileSystem is the type of VirtualMachineInstanceFileSystemInfo.disks.
type VirtualMachineInstanceFileSystem struct {
	// +optional
	Disk []VirtualMachineInstanceFileSystemDisk `json:"disk,omitempty"`
	// +required
	DiskName string `json:"diskName"`
	// +required
	FileSystemType string `json:"fileSystemType"`
	// +required
	MountPoint string `json:"mountPoint"`
	// +required
	TotalBytes int32 `json:"totalBytes"`
	// +required
	UsedBytes int32 `json:"usedBytes"`
}

// VirtualMachineInstanceFileSystemDisk is the type of VirtualMachineInstanceFileSystem.disk.
type VirtualMachineInstanceFileSystemDisk struct {
	// +required
	BusType string `json:"busType"`
	// +optional
	Serial string `json:"serial,omitempty"`
}
