package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DataVolumeSpec is the type of DataVolumeTemplateSpec.spec.
type DataVolumeSpec struct {
	// +optional
	Checkpoints []DataVolumeCheckpoint `json:"checkpoints,omitempty"`
	// +optional
	ContentType string `json:"contentType,omitempty"`
	// +optional
	FinalCheckpoint *bool `json:"finalCheckpoint,omitempty"`
	// +optional
	Preallocation *bool `json:"preallocation,omitempty"`
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// +optional
	PVC *corev1.PersistentVolumeClaimSpec `json:"pvc,omitempty"`
	// +optional
	Source *DataVolumeSource `json:"source,omitempty"`
	// +optional
	SourceRef *DataVolumeSourceRef `json:"sourceRef,omitempty"`
	// +optional
	Storage *StorageSpec `json:"storage,omitempty"`
}

// DataVolumeCheckpoint is the type of DataVolumeSpec.checkpoints.
type DataVolumeCheckpoint struct {
	// +required
	Current string `json:"current"`
	// +required
	Previous string `json:"previous"`
}

// DataVolumeSource is the type of DataVolumeSpec.source.
type DataVolumeSource struct {
	// +optional
	Blank *DataVolumeBlankImage `json:"blank,omitempty"`
	// +optional
	GCS *DataVolumeSourceGCS `json:"gcs,omitempty"`
	// +optional
	HTTP *DataVolumeSourceHTTP `json:"http,omitempty"`
	// +optional
	Imageio *DataVolumeSourceImageIO `json:"imageio,omitempty"`
	// +optional
	PVC *DataVolumeSourcePVC `json:"pvc,omitempty"`
	// +optional
	Registry *DataVolumeSourceRegistry `json:"registry,omitempty"`
	// +optional
	S3 *DataVolumeSourceS3 `json:"s3,omitempty"`
	// +optional
	Snapshot *DataVolumeSourceSnapshot `json:"snapshot,omitempty"`
	// +optional
	Upload *DataVolumeSourceUpload `json:"upload,omitempty"`
	// +optional
	VDDK *DataVolumeSourceVDDK `json:"vddk,omitempty"`
}

// DataVolumeSourceRef is the type of DataVolumeSpec.sourceRef.
type DataVolumeSourceRef struct {
	// +required
	Kind string `json:"kind"`
	// +required
	Name string `json:"name"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// StorageSpec is the type of DataVolumeSpec.storage.
type StorageSpec struct {
	// +optional
	AccessModes []string `json:"accessModes,omitempty"`
	// +optional
	DataSource *corev1.TypedLocalObjectReference `json:"dataSource,omitempty"`
	// +optional
	DataSourceRef *corev1.TypedObjectReference `json:"dataSourceRef,omitempty"`
	// +optional
	Resources corev1.VolumeResourceRequirements `json:"resources,omitempty"`
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// +optional
	StorageClassName string `json:"storageClassName,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Block;Filesystem;FromStorageProfile
	VolumeMode *corev1.PersistentVolumeMode `json:"volumeMode,omitempty"`
	// +optional
	VolumeName string `json:"volumeName,omitempty"`
}

// DataVolumeBlankImage is the type of DataVolumeSource.blank.
type DataVolumeBlankImage struct {
}

// DataVolumeSourceGCS is the type of DataVolumeSource.gcs.
type DataVolumeSourceGCS struct {
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceHTTP is the type of DataVolumeSource.http.
type DataVolumeSourceHTTP struct {
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// +optional
	ExtraHeaders []string `json:"extraHeaders,omitempty"`
	// +optional
	SecretExtraHeaders []string `json:"secretExtraHeaders,omitempty"`
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceImageIO is the type of DataVolumeSource.imageio.
type DataVolumeSourceImageIO struct {
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// +required
	DiskID string `json:"diskId"`
	// +optional
	InsecureSkipVerify *bool `json:"insecureSkipVerify,omitempty"`
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +required
	URL string `json:"url"`
}

// DataVolumeSourcePVC is the type of DataVolumeSource.pvc.
type DataVolumeSourcePVC struct {
	// +required
	Name string `json:"name"`
	// +required
	Namespace string `json:"namespace"`
}

// DataVolumeSourceRegistry is the type of DataVolumeSource.registry.
type DataVolumeSourceRegistry struct {
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// +optional
	ImageStream string `json:"imageStream,omitempty"`
	// +optional
	Platform *PlatformOptions `json:"platform,omitempty"`
	// +optional
	PullMethod string `json:"pullMethod,omitempty"`
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +optional
	URL string `json:"url,omitempty"`
}

// DataVolumeSourceS3 is the type of DataVolumeSource.s3.
type DataVolumeSourceS3 struct {
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceSnapshot is the type of DataVolumeSource.snapshot.
type DataVolumeSourceSnapshot struct {
	// +required
	Name string `json:"name"`
	// +required
	Namespace string `json:"namespace"`
}

// DataVolumeSourceUpload is the type of DataVolumeSource.upload.
type DataVolumeSourceUpload struct {
}

// DataVolumeSourceVDDK is the type of DataVolumeSource.vddk.
type DataVolumeSourceVDDK struct {
	// +optional
	BackingFile string `json:"backingFile,omitempty"`
	// +optional
	ExtraArgs string `json:"extraArgs,omitempty"`
	// +optional
	InitImageURL string `json:"initImageURL,omitempty"`
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// +optional
	Thumbprint string `json:"thumbprint,omitempty"`
	// +optional
	URL string `json:"url,omitempty"`
	// +optional
	UUID string `json:"uuid,omitempty"`
}

// PlatformOptions is the type of DataVolumeSourceRegistry.platform.
type PlatformOptions struct {
	// +optional
	Architecture string `json:"architecture,omitempty"`
}
