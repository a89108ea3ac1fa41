package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DataVolumeSpec says where a DataVolume's data comes from and what PVC to put it in.
type DataVolumeSpec struct {
	// checkpoints lists the snapshots of a multi-stage (warm) import, each applied on top of the
	// previous one.
	// +optional
	Checkpoints []DataVolumeCheckpoint `json:"checkpoints,omitempty"`
	// contentType is kubevirt (default: a VM disk image, converted to raw) or archive (a tar unpacked
	// onto a filesystem volume).
	// +optional
	ContentType string `json:"contentType,omitempty"`
	// finalCheckpoint marks the last checkpoint as the final stage of a multi-stage import.
	// +optional
	FinalCheckpoint *bool `json:"finalCheckpoint,omitempty"`
	// preallocation allocates the whole volume in advance instead of sparsely.
	// +optional
	Preallocation *bool `json:"preallocation,omitempty"`
	// priorityClassName is the priority class of the import, clone and upload pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// pvc is a full PVC spec for the volume; exclusive with storage, which fills in defaults from the
	// storage profile.
	// +optional
	PVC *corev1.PersistentVolumeClaimSpec `json:"pvc,omitempty"`
	// source says where the data comes from; exactly one of its fields is set, or sourceRef is used.
	// +optional
	Source *DataVolumeSource `json:"source,omitempty"`
	// sourceRef names a DataSource that says where the data comes from.
	// +optional
	SourceRef *DataVolumeSourceRef `json:"sourceRef,omitempty"`
	// storage is the requested storage; unset values such as access modes, volume mode and size
	// overhead come from the storage profile.
	// +optional
	Storage *StorageSpec `json:"storage,omitempty"`
}

// DataVolumeCheckpoint is one stage of a multi-stage import.
type DataVolumeCheckpoint struct {
	// current identifies the snapshot taken at this checkpoint.
	// +required
	Current string `json:"current"`
	// previous identifies the snapshot of the checkpoint before it.
	// +required
	Previous string `json:"previous"`
}

// DataVolumeSource is the origin of a DataVolume's data; exactly one field is set.
type DataVolumeSource struct {
	// blank creates an empty disk image.
	// +optional
	Blank *DataVolumeBlankImage `json:"blank,omitempty"`
	// gcs imports from Google Cloud Storage.
	// +optional
	GCS *DataVolumeSourceGCS `json:"gcs,omitempty"`
	// http imports a disk image from an HTTP(S) URL.
	// +optional
	HTTP *DataVolumeSourceHTTP `json:"http,omitempty"`
	// imageio imports a disk from oVirt through ImageIO.
	// +optional
	Imageio *DataVolumeSourceImageIO `json:"imageio,omitempty"`
	// pvc clones an existing PVC.
	// +optional
	PVC *DataVolumeSourcePVC `json:"pvc,omitempty"`
	// registry imports a disk image stored in a container image.
	// +optional
	Registry *DataVolumeSourceRegistry `json:"registry,omitempty"`
	// s3 imports from an S3-compatible object store.
	// +optional
	S3 *DataVolumeSourceS3 `json:"s3,omitempty"`
	// snapshot restores a VolumeSnapshot.
	// +optional
	Snapshot *DataVolumeSourceSnapshot `json:"snapshot,omitempty"`
	// upload waits for an upload through the CDI upload proxy (virtctl image-upload).
	// +optional
	Upload *DataVolumeSourceUpload `json:"upload,omitempty"`
	// vddk imports a disk from VMware vCenter or ESXi.
	// +optional
	VDDK *DataVolumeSourceVDDK `json:"vddk,omitempty"`
}

// DataVolumeSourceRef points a DataVolume at a DataSource.
type DataVolumeSourceRef struct {
	// kind is the kind of the referenced object; only DataSource.
	// +required
	Kind string `json:"kind"`
	// name is the name of the DataSource.
	// +required
	Name string `json:"name"`
	// namespace is the DataSource's namespace; defaults to the DataVolume's.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// StorageSpec is a PVC request whose unset parts come from the storage profile.
type StorageSpec struct {
	// accessModes are the access modes wanted, e.g. ReadWriteMany; taken from the storage profile when
	// unset.
	// +optional
	AccessModes []string `json:"accessModes,omitempty"`
	// dataSource is an existing PVC, VolumeSnapshot or populator object to fill the volume from.
	// +optional
	DataSource *corev1.TypedLocalObjectReference `json:"dataSource,omitempty"`
	// dataSourceRef is an object, possibly in another namespace, that populates the volume.
	// +optional
	DataSourceRef *corev1.TypedObjectReference `json:"dataSourceRef,omitempty"`
	// resources are the requested size and other resources; the size may grow by the filesystem
	// overhead.
	// +optional
	Resources corev1.VolumeResourceRequirements `json:"resources,omitempty"`
	// selector restricts binding to PersistentVolumes with matching labels.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// storageClassName is the storage class; the default class when unset.
	// +optional
	StorageClassName string `json:"storageClassName,omitempty"`
	// volumeMode is Block, Filesystem or FromStorageProfile; taken from the storage profile when
	// unset.
	// +optional
	// +kubebuilder:validation:Enum=Block;Filesystem;FromStorageProfile
	VolumeMode *corev1.PersistentVolumeMode `json:"volumeMode,omitempty"`
	// volumeName binds the claim to this PersistentVolume.
	// +optional
	VolumeName string `json:"volumeName,omitempty"`
}

// DataVolumeBlankImage requests an empty disk image; it has no fields.
type DataVolumeBlankImage struct {
}

// DataVolumeSourceGCS imports from Google Cloud Storage.
type DataVolumeSourceGCS struct {
	// secretRef names a Secret with the credentials for the bucket.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// url is the gs:// or https:// URL of the object.
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceHTTP imports from an HTTP(S) server.
type DataVolumeSourceHTTP struct {
	// certConfigMap names a ConfigMap with the CA certificate of the server.
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// extraHeaders are extra HTTP headers sent with the request, as "Name: value".
	// +optional
	ExtraHeaders []string `json:"extraHeaders,omitempty"`
	// secretExtraHeaders name Secrets holding extra headers that must stay secret.
	// +optional
	SecretExtraHeaders []string `json:"secretExtraHeaders,omitempty"`
	// secretRef names a Secret with accessKeyId (user name) and secretKey (password).
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// url is the http(s) URL of the image.
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceImageIO imports from oVirt ImageIO.
type DataVolumeSourceImageIO struct {
	// certConfigMap names a ConfigMap with the CA certificate of the oVirt engine.
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// diskId is the ID of the disk to import.
	// +required
	DiskID string `json:"diskId"`
	// insecureSkipVerify skips verifying the engine's certificate.
	// +optional
	InsecureSkipVerify *bool `json:"insecureSkipVerify,omitempty"`
	// secretRef names a Secret with the engine's credentials.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// url is the oVirt engine API endpoint.
	// +required
	URL string `json:"url"`
}

// DataVolumeSourcePVC names a PVC to clone.
type DataVolumeSourcePVC struct {
	// name is the PVC to clone.
	// +required
	Name string `json:"name"`
	// namespace is the namespace of the PVC to clone.
	// +required
	Namespace string `json:"namespace"`
}

// DataVolumeSourceRegistry imports a disk stored in a container image.
type DataVolumeSourceRegistry struct {
	// certConfigMap names a ConfigMap with the registry's CA certificate.
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// imageStream names an OpenShift image stream to import from; exclusive with url.
	// +optional
	ImageStream string `json:"imageStream,omitempty"`
	// platform selects the image's platform in a multi-architecture image.
	// +optional
	Platform *PlatformOptions `json:"platform,omitempty"`
	// pullMethod is pod (default: an importer pod pulls the image) or node (the node's container
	// runtime pulls it).
	// +optional
	PullMethod string `json:"pullMethod,omitempty"`
	// secretRef names a Secret with the registry's credentials.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// url is the image reference with its scheme, e.g. docker://quay.io/org/disk:tag.
	// +optional
	URL string `json:"url,omitempty"`
}

// DataVolumeSourceS3 imports from an S3-compatible object store.
type DataVolumeSourceS3 struct {
	// certConfigMap names a ConfigMap with the CA certificate of the endpoint.
	// +optional
	CERTConfigMap string `json:"certConfigMap,omitempty"`
	// secretRef names a Secret with accessKeyId and secretKey.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// url is the URL of the object.
	// +required
	URL string `json:"url"`
}

// DataVolumeSourceSnapshot names a VolumeSnapshot to restore.
type DataVolumeSourceSnapshot struct {
	// name is the VolumeSnapshot to restore.
	// +required
	Name string `json:"name"`
	// namespace is the namespace of the VolumeSnapshot.
	// +required
	Namespace string `json:"namespace"`
}

// DataVolumeSourceUpload waits for an upload; it has no fields.
type DataVolumeSourceUpload struct {
}

// DataVolumeSourceVDDK imports from VMware.
type DataVolumeSourceVDDK struct {
	// backingFile is the path of the virtual disk on the datastore.
	// +optional
	BackingFile string `json:"backingFile,omitempty"`
	// extraArgs names a ConfigMap of extra arguments for the VDDK library.
	// +optional
	ExtraArgs string `json:"extraArgs,omitempty"`
	// initImageURL is an image holding the VDDK library, overriding the cluster's setting.
	// +optional
	InitImageURL string `json:"initImageURL,omitempty"`
	// secretRef names a Secret with the vCenter or ESXi user and password.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
	// thumbprint is the SHA-1 fingerprint of the host's TLS certificate, checked before connecting.
	// +optional
	Thumbprint string `json:"thumbprint,omitempty"`
	// url is the URL of the vCenter or ESXi host.
	// +optional
	URL string `json:"url,omitempty"`
	// uuid is the UUID of the VM the disk belongs to.
	// +optional
	UUID string `json:"uuid,omitempty"`
}

// PlatformOptions picks one platform of a multi-platform image.
type PlatformOptions struct {
	// architecture is the CPU architecture of the image to pick, e.g. amd64.
	// +optional
	Architecture string `json:"architecture,omitempty"`
}
