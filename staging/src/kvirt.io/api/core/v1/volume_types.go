package v1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Volume is a storage source that a disk or filesystem uses; exactly one source is set.
type Volume struct {
	// cloudInitConfigDrive attaches cloud-init data as a config drive disk; the guest needs
	// cloud-init.
	// +optional
	CloudInitConfigDrive *CloudInitConfigDriveSource `json:"cloudInitConfigDrive,omitempty"`
	// cloudInitNoCloud attaches cloud-init data as a NoCloud (cidata) disk; the guest needs
	// cloud-init.
	// +optional
	CloudInitNoCloud *CloudInitNoCloudSource `json:"cloudInitNoCloud,omitempty"`
	// configMap attaches the keys of a ConfigMap as files on a small disk or a virtiofs share.
	// +optional
	ConfigMap *ConfigMapVolumeSource `json:"configMap,omitempty"`
	// containerDisk boots from a disk image stored in a container image; writes are lost when the VMI
	// ends.
	// +optional
	ContainerDisk *ContainerDiskSource `json:"containerDisk,omitempty"`
	// containerPath shares a path of the launcher's compute container into the guest through virtiofs.
	// +optional
	ContainerPath *ContainerPathVolumeSource `json:"containerPath,omitempty"`
	// dataVolume uses the PVC of a DataVolume with the same name, waiting until the DataVolume is
	// populated.
	// +optional
	DataVolume *DataVolumeSource `json:"dataVolume,omitempty"`
	// downwardAPI attaches pod fields such as labels and annotations as files.
	// +optional
	DownwardAPI *DownwardAPIVolumeSource `json:"downwardAPI,omitempty"`
	// downwardMetrics attaches a small disk through which the guest reads host and VM metrics (vhostmd
	// format); at most one per VMI.
	// +optional
	DownwardMetrics *DownwardMetricsVolumeSource `json:"downwardMetrics,omitempty"`
	// emptyDisk is a blank sparse disk that lives and dies with the VMI.
	// +optional
	EmptyDisk *EmptyDiskSource `json:"emptyDisk,omitempty"`
	// ephemeral uses a PVC read-only, with a copy-on-write layer that is discarded when the VMI ends.
	// +optional
	Ephemeral *EphemeralVolumeSource `json:"ephemeral,omitempty"`
	// hostDisk uses a disk image file on the node's file system; feature-gated.
	// +optional
	HostDisk *HostDisk `json:"hostDisk,omitempty"`
	// memoryDump is the PVC a memory dump is written to; at most one per VMI.
	// +optional
	MemoryDump *MemoryDumpVolumeSource `json:"memoryDump,omitempty"`
	// name identifies the volume (a DNS label, unique in the VMI); disks and filesystems name it.
	// +required
	Name string `json:"name"`
	// persistentVolumeClaim uses a PVC in the VMI's namespace as the disk.
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	// secret attaches the keys of a Secret as files on a small disk or a virtiofs share.
	// +optional
	Secret *SecretVolumeSource `json:"secret,omitempty"`
	// serviceAccount attaches a ServiceAccount's token, CA and namespace as files; at most one per
	// VMI.
	// +optional
	ServiceAccount *ServiceAccountVolumeSource `json:"serviceAccount,omitempty"`
	// sysprep attaches a Windows answer file (autounattend.xml or unattend.xml) as a CD-ROM.
	// +optional
	Sysprep *SysprepSource `json:"sysprep,omitempty"`
}

// CloudInitConfigDriveSource is cloud-init data in config drive form.
type CloudInitConfigDriveSource struct {
	// networkData is inline network configuration.
	// +optional
	NetworkData string `json:"networkData,omitempty"`
	// networkDataBase64 is network configuration encoded in base64.
	// +optional
	NetworkDataBase64 string `json:"networkDataBase64,omitempty"`
	// networkDataSecretRef names a Secret whose networkdata key holds the network configuration.
	// +optional
	NetworkDataSecretRef *corev1.LocalObjectReference `json:"networkDataSecretRef,omitempty"`
	// secretRef names a Secret whose userdata (or userData) key holds the user data.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
	// userData is inline user data, e.g. a #cloud-config document or a script.
	// +optional
	UserData string `json:"userData,omitempty"`
	// userDataBase64 is user data encoded in base64.
	// +optional
	UserDataBase64 string `json:"userDataBase64,omitempty"`
}

// CloudInitNoCloudSource is cloud-init data in NoCloud form.
type CloudInitNoCloudSource struct {
	// networkData is inline network configuration.
	// +optional
	NetworkData string `json:"networkData,omitempty"`
	// networkDataBase64 is network configuration encoded in base64.
	// +optional
	NetworkDataBase64 string `json:"networkDataBase64,omitempty"`
	// networkDataSecretRef names a Secret whose networkdata key holds the network configuration.
	// +optional
	NetworkDataSecretRef *corev1.LocalObjectReference `json:"networkDataSecretRef,omitempty"`
	// secretRef names a Secret whose userdata (or userData) key holds the user data.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
	// userData is inline user data, e.g. a #cloud-config document or a script.
	// +optional
	UserData string `json:"userData,omitempty"`
	// userDataBase64 is user data encoded in base64.
	// +optional
	UserDataBase64 string `json:"userDataBase64,omitempty"`
}

// ConfigMapVolumeSource exposes a ConfigMap to the guest.
type ConfigMapVolumeSource struct {
	// name is the ConfigMap in the VMI's namespace.
	// +optional
	Name string `json:"name,omitempty"`
	// optional lets the VMI start when the ConfigMap is missing.
	// +optional
	Optional *bool `json:"optional,omitempty"`
	// volumeLabel is the file system label of the disk, e.g. cidata, config-2 or OEMDRV.
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// ContainerDiskSource is a disk image inside a container image.
type ContainerDiskSource struct {
	// image is the container image holding the disk image.
	// +required
	Image string `json:"image"`
	// imagePullPolicy is Always, IfNotPresent or Never; defaults to Always for :latest or untagged
	// images, IfNotPresent otherwise.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// imagePullSecret names a Secret with credentials for the image's registry.
	// +optional
	ImagePullSecret string `json:"imagePullSecret,omitempty"`
	// path is the disk image's path inside the container image; the single file under /disk when
	// unset.
	// +optional
	Path string `json:"path,omitempty"`
}

// ContainerPathVolumeSource is a path of the compute container shared into the guest.
type ContainerPathVolumeSource struct {
	// path is an absolute path that a volume mount of the compute container provides.
	// +required
	Path string `json:"path"`
	// readOnly must be true, the default: the share is read-only.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// DataVolumeSource names a DataVolume whose PVC backs the volume.
type DataVolumeSource struct {
	// hotpluggable marks the volume as hotplugged, attached through its own pod so it can be removed
	// while the VM runs.
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// name is the DataVolume (and its PVC) in the VMI's namespace.
	// +required
	Name string `json:"name"`
}

// DownwardAPIVolumeSource exposes pod fields to the guest.
type DownwardAPIVolumeSource struct {
	// fields lists the files to create and the pod fields they hold.
	// +optional
	Fields []corev1.DownwardAPIVolumeFile `json:"fields,omitempty"`
	// volumeLabel is the file system label of the disk.
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// DownwardMetricsVolumeSource is the host metrics disk; it has no fields.
type DownwardMetricsVolumeSource struct {
}

// EmptyDiskSource is a blank disk that lives with the VMI.
type EmptyDiskSource struct {
	// capacity is the size of the disk.
	// +required
	Capacity *resource.Quantity `json:"capacity"`
}

// EphemeralVolumeSource is a PVC with a throw-away copy-on-write layer.
type EphemeralVolumeSource struct {
	// persistentVolumeClaim is the PVC read from.
	// +optional
	PersistentVolumeClaim *corev1.PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
}

// HostDisk is a disk image file on the node.
type HostDisk struct {
	// capacity is the size of the image file to create with DiskOrCreate.
	// +optional
	Capacity *resource.Quantity `json:"capacity,omitempty"`
	// path is the image file's path on the node.
	// +required
	Path string `json:"path"`
	// shared says the path is on storage shared between nodes, so the VM can migrate.
	// +optional
	Shared *bool `json:"shared,omitempty"`
	// type is Disk (the file must exist) or DiskOrCreate (create it when missing).
	// +required
	Type string `json:"type"`
}

// MemoryDumpVolumeSource is the PVC a memory dump goes to.
type MemoryDumpVolumeSource struct {
	// claimName is the PVC that receives the dump.
	// +required
	ClaimName string `json:"claimName"`
	// hotpluggable marks the volume as hotplugged.
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// readOnly mounts the PVC read-only; defaults to false.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// PersistentVolumeClaimVolumeSource names a PVC that backs the volume.
type PersistentVolumeClaimVolumeSource struct {
	// claimName is the PVC in the VMI's namespace.
	// +required
	ClaimName string `json:"claimName"`
	// hotpluggable marks the volume as hotplugged, attached through its own pod so it can be removed
	// while the VM runs.
	// +optional
	Hotpluggable *bool `json:"hotpluggable,omitempty"`
	// readOnly attaches the PVC read-only; defaults to false.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// SecretVolumeSource exposes a Secret to the guest.
type SecretVolumeSource struct {
	// optional lets the VMI start when the Secret is missing.
	// +optional
	Optional *bool `json:"optional,omitempty"`
	// secretName is the Secret in the VMI's namespace.
	// +optional
	SecretName string `json:"secretName,omitempty"`
	// volumeLabel is the file system label of the disk, e.g. cidata, config-2 or OEMDRV.
	// +optional
	VolumeLabel string `json:"volumeLabel,omitempty"`
}

// ServiceAccountVolumeSource exposes a ServiceAccount's token to the guest.
type ServiceAccountVolumeSource struct {
	// serviceAccountName is the ServiceAccount in the VMI's namespace.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
}

// SysprepSource is a Windows answer file.
type SysprepSource struct {
	// configMap names a ConfigMap holding the answer file.
	// +optional
	ConfigMap *corev1.LocalObjectReference `json:"configMap,omitempty"`
	// secret names a Secret holding the answer file.
	// +optional
	Secret *corev1.LocalObjectReference `json:"secret,omitempty"`
}
