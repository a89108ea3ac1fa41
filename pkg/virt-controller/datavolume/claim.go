package datavolume

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// DefaultFilesystemOverhead is CDI's default share of a Filesystem claim kept
// for the filesystem itself: spec.storage grows the claim by it, and the image
// written into a Filesystem claim is that much smaller than the claim.
const DefaultFilesystemOverhead = 0.055

const mib = 1 << 20

// CDI's annotations and labels on the claims and pods it creates, kept so that
// tools written for CDI find them.
const (
	AnnSource             = "cdi.kubevirt.io/storage.import.source"
	AnnEndpoint           = "cdi.kubevirt.io/storage.import.endpoint"
	AnnSecret             = "cdi.kubevirt.io/storage.import.secretName"
	AnnCertConfigMap      = "cdi.kubevirt.io/storage.import.certConfigMap"
	AnnContentType        = "cdi.kubevirt.io/storage.contentType"
	AnnCloneRequest       = "cdi.kubevirt.io/storage.cloneRequest"
	AnnUploadRequest      = "cdi.kubevirt.io/storage.upload.target"
	AnnCreatedForDV       = "cdi.kubevirt.io/createdForDataVolume"
	AnnPopulatedFor       = "cdi.kubevirt.io/storage.populatedFor"
	AnnSelectedNode       = "volume.kubernetes.io/selected-node"
	LabelApp              = "app"
	LabelAppValue         = "containerized-data-importer"
	LabelImportPVC        = "cdi.kubevirt.io/storage.import.importPvcName"
	sourceNone            = "none"
	maxLabelValueLength   = 63
	defaultVolumeModeName = corev1.PersistentVolumeFilesystem
)

// Claim renders the claim a DataVolume fills: named and namespaced like the
// DataVolume, controlled by it, annotated with its source. spec.pvc is taken as
// it is; spec.storage gets ReadWriteOnce and Filesystem unless it says otherwise
// and, for Filesystem, grows by overhead so that the image still fits.
// sourceClaim (a clone's source, or nil) gives the size when none is asked.
func Claim(dv *cdiv1beta1.DataVolume, src Source, sourceClaim *corev1.PersistentVolumeClaim, overhead float64) (*corev1.PersistentVolumeClaim, *Problem) {
	var spec corev1.PersistentVolumeClaimSpec
	switch {
	case dv.Spec.PVC != nil && dv.Spec.Storage != nil:
		return nil, &Problem{ReasonInvalidSpec, "spec.pvc and spec.storage are exclusive", true}
	case dv.Spec.PVC != nil:
		spec = *dv.Spec.PVC.DeepCopy()
		if err := defaultSize(&spec, sourceClaim, 0); err != nil {
			return nil, err
		}
	case dv.Spec.Storage != nil:
		spec = storageClaimSpec(dv.Spec.Storage)
		fs := spec.VolumeMode == nil || *spec.VolumeMode == corev1.PersistentVolumeFilesystem
		if !fs {
			overhead = 0
		}
		if err := defaultSize(&spec, sourceClaim, overhead); err != nil {
			return nil, err
		}
	default:
		return nil, &Problem{ReasonInvalidSpec, "spec.pvc or spec.storage is required", true}
	}
	t := true
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{
			Name: dv.Name, Namespace: dv.Namespace,
			Labels:      map[string]string{LabelApp: LabelAppValue},
			Annotations: claimAnnotations(dv, src),
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind,
				Name: dv.Name, UID: dv.UID, Controller: &t, BlockOwnerDeletion: &t,
			}},
		},
		Spec: spec,
	}, nil
}

func storageClaimSpec(s *cdiv1beta1.StorageSpec) corev1.PersistentVolumeClaimSpec {
	spec := corev1.PersistentVolumeClaimSpec{
		Selector:      s.Selector.DeepCopy(),
		Resources:     *s.Resources.DeepCopy(),
		VolumeName:    s.VolumeName,
		DataSource:    s.DataSource.DeepCopy(),
		DataSourceRef: s.DataSourceRef.DeepCopy(),
	}
	for _, m := range s.AccessModes {
		spec.AccessModes = append(spec.AccessModes, corev1.PersistentVolumeAccessMode(m))
	}
	if len(spec.AccessModes) == 0 {
		spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	mode := defaultVolumeModeName
	if s.VolumeMode != nil && *s.VolumeMode == corev1.PersistentVolumeBlock {
		mode = corev1.PersistentVolumeBlock
	}
	spec.VolumeMode = &mode
	if s.StorageClassName != "" {
		class := s.StorageClassName
		spec.StorageClassName = &class
	}
	return spec
}

// defaultSize takes the source claim's size when none is asked, then grows the
// request by overhead (rounded up to a MiB).
func defaultSize(spec *corev1.PersistentVolumeClaimSpec, sourceClaim *corev1.PersistentVolumeClaim, overhead float64) *Problem {
	size, ok := spec.Resources.Requests[corev1.ResourceStorage]
	if !ok && sourceClaim != nil {
		size, ok = claimSize(sourceClaim)
	}
	if !ok || size.Sign() <= 0 {
		return &Problem{ReasonInvalidSpec, "no size: set resources.requests.storage", true}
	}
	if overhead > 0 && overhead < 1 {
		mibs := math.Ceil(float64(size.Value()) / (1 - overhead) / mib)
		size = *resource.NewQuantity(int64(mibs)*mib, resource.BinarySI)
	}
	if spec.Resources.Requests == nil {
		spec.Resources.Requests = corev1.ResourceList{}
	}
	spec.Resources.Requests[corev1.ResourceStorage] = size
	return nil
}

// claimSize is a claim's capacity once bound, else its request.
func claimSize(c *corev1.PersistentVolumeClaim) (resource.Quantity, bool) {
	if q, ok := c.Status.Capacity[corev1.ResourceStorage]; ok {
		return q, true
	}
	q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]
	return q, ok
}

func claimAnnotations(dv *cdiv1beta1.DataVolume, src Source) map[string]string {
	ann := map[string]string{AnnCreatedForDV: string(dv.UID), AnnContentType: contentType(dv)}
	switch src.Kind {
	case SourceHTTP, SourceRegistry:
		ann[AnnSource], ann[AnnEndpoint] = string(src.Kind), src.Endpoint
		if src.SecretRef != "" {
			ann[AnnSecret] = src.SecretRef
		}
		if src.CertConfigMap != "" {
			ann[AnnCertConfigMap] = src.CertConfigMap
		}
	case SourceBlank:
		ann[AnnSource] = sourceNone
	case SourceUpload:
		ann[AnnUploadRequest] = ""
	case SourcePVC:
		ann[AnnCloneRequest] = src.ClaimNamespace + "/" + src.ClaimName
	}
	return ann
}

func contentType(dv *cdiv1beta1.DataVolume) string {
	if dv.Spec.ContentType == cdiv1beta1.ContentTypeArchive {
		return cdiv1beta1.ContentTypeArchive
	}
	return cdiv1beta1.ContentTypeKubeVirt
}

// IsBlock says whether a claim is a raw block device.
func IsBlock(c *corev1.PersistentVolumeClaim) bool {
	return c.Spec.VolumeMode != nil && *c.Spec.VolumeMode == corev1.PersistentVolumeBlock
}

// ImageSize is the size of the image the importer writes into claim: the whole
// device for Block, the claim less overhead rounded down to a MiB for
// Filesystem (as virt-launcher sizes an empty claim's disk.img).
func ImageSize(claim *corev1.PersistentVolumeClaim, overhead float64) int64 {
	q, _ := claimSize(claim)
	total := q.Value()
	if IsBlock(claim) {
		return total
	}
	if overhead <= 0 || overhead >= 1 {
		overhead = DefaultFilesystemOverhead
	}
	return int64(float64(total)*(1-overhead)) / mib * mib
}

// ownedBy says whether dv controls obj.
func ownedBy(refs []metav1.OwnerReference, dv *cdiv1beta1.DataVolume) bool {
	for _, r := range refs {
		if r.UID == dv.UID && r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}

func importPVCLabel(name string) (string, bool) {
	return name, len(name) <= maxLabelValueLength
}
