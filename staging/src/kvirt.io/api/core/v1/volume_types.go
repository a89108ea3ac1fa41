package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Volume is the type of VirtualMachineInstanceSpec.volumes.
type Volume struct {
	// +optional
	CloudInitConfigDrive *CloudInitConfigDriveSource `json:"cloudInitConfigDrive,omitempty"`
	// +optional
	CloudInitNoCloud *CloudInitNoCloudSource `json:"cloudInitNoCloud,omitempty"`
	// +optional
	ConfigMap *ConfigMapVolumeSource `json:"configMap,omitempty"`
	// +optional
	ContainerDisk *ContainerDiskSource `json:"containerDisk,omitempty"`
	// +optional
	ContainerPath *ContainerPathVolumeSource `json:"containerPath,omitempty"`
	// +optional
	DataVolume *DataVolumeSource `json:"dataVolume,omitempty"`
	// +optional
	DownwardAPI *DownwardAPIVolumeSource `json:"downwardAPI,omitempty"`
	// +optional
	DownwardMetrics *DownwardMetricsVolumeSource `json:"downwardMetrics,omitempty"`
	// +optional
	EmptyDisk *EmptyDiskSource `json:"emptyDisk,omitempty"`
	// +optional
	Ephemeral *EphemeralVolumeSource `json:"ephemeral,omitempty"`
	// +optional
	HostDisk *HostDisk `json:"hostDisk,omitempty"`
	// +optional
	MemoryDump *MemoryDumpVolumeSource `json:"memoryDump,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	// +optional
	Secret *SecretVolumeSource `json:"secret,omitempty"`
	// +optional
	ServiceAccount *ServiceAccountVolumeSource `json:"serviceAccount,omitempty"`
	// +optional
	Sysprep *SysprepSource `json:"sysprep,omitempty"`
}

// CloudInitConfigDriveSource is the type of Volume.cloudInitConfigDrive.
type CloudInitConfigDriveSource struct {
	// +optional
	NetworkData string `json:"networkData,omitempty"`
	// +optional
	NetworkDataBase64 string `json:"networkDataBase64,omitempty"`
	// +optional
	NetworkDataSecretRef *corev1.LocalObjectReference `json:"networkDataSecretRef,omitempty"`
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
	// +optional
	UserData string `json:"userData,omitempty"`
	// +optional
	UserDataBase64 string `json:"userDataBase64,omitempty"`
}

// CloudInitNoCloudSource is the type of Volume.cloudInitNoCloud.
type CloudInitNoCloudSource struct {
	// +optional
	NetworkData string `json:"networkData,omitempty"`
	// +optional
	NetworkDataBase64 string `json:"networkDataBase64,omitempty"`
	// +optional
	NetworkDataSecretRef *corev1.LocalObjectReference `json:"networkDataSecretRef,omitempty"`
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
	// +optional
	UserData string `json:"userData,omitempty"`
	// +optional
	UserDataBase64 string `json:"userDataBase64,omitempty"`
}

// ConfigMapVolumeSource is the type of Volume.configMap.
type ConfigMapVolumeSource struct {
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	Optional *bool `json:"optional,omitempty"`
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// ContainerDiskSource is the type of Volume.containerDisk.
type ContainerDiskSource struct {
	// +required
	Image string `json:"image"`
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// +optional
	ImagePullSecret string `json:"imagePullSecret,omitempty"`
	// +optional
	Path string `json:"path,omitempty"`
}

// ContainerPathVolumeSource is the type of Volume.containerPath.
type ContainerPathVolumeSource struct {
	// +required
	Path string `json:"path"`
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// DataVolumeSource is the type of HotplugVolumeSource.dataVolume.
type DataVolumeSource struct {
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// +required
	Name string `json:"name"`
}

// DownwardAPIVolumeSource is the type of Volume.downwardAPI.
type DownwardAPIVolumeSource struct {
	// +optional
	Fields []corev1.DownwardAPIVolumeFile `json:"fields,omitempty"`
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// DownwardMetricsVolumeSource is the type of Volume.downwardMetrics.
type DownwardMetricsVolumeSource struct {
}

// EmptyDiskSource is the type of Volume.emptyDisk.
type EmptyDiskSource struct {
	// +required
	Capacity *resource.Quantity `json:"capacity"`
}

// EphemeralVolumeSource is the type of Volume.ephemeral.
type EphemeralVolumeSource struct {
	// +optional
	PersistentVolumeClaim *corev1.PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
}

// HostDisk is the type of Volume.hostDisk.
type HostDisk struct {
	// +optional
	Capacity *resource.Quantity `json:"capacity,omitempty"`
	// +required
	Path string `json:"path"`
	// +optional
	Shared *bool `json:"shared,omitempty"`
	// +required
	Type string `json:"type"`
}

// MemoryDumpVolumeSource is the type of Volume.memoryDump.
type MemoryDumpVolumeSource struct {
	// +required
	ClaimName string `json:"claimName"`
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// PersistentVolumeClaimVolumeSource is the type of HotplugVolumeSource.persistentVolumeClaim.
type PersistentVolumeClaimVolumeSource struct {
	// +required
	ClaimName string `json:"claimName"`
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// SecretVolumeSource is the type of Volume.secret.
type SecretVolumeSource struct {
	// +optional
	Optional *bool `json:"optional,omitempty"`
	// +optional
	SecretName string `json:"secretName,omitempty"`
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// ServiceAccountVolumeSource is the type of Volume.serviceAccount.
type ServiceAccountVolumeSource struct {
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
}

// SysprepSource is the type of Volume.sysprep.
type SysprepSource struct {
	// +optional
	ConfigMap *corev1.LocalObjectReference `json:"configMap,omitempty"`
	// +optional
	Secret *corev1.LocalObjectReference `json:"secret,omitempty"`
}
