package imageupload

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// DataVolume is the upload DataVolume image-upload creates: source upload and
// spec.storage from the flags (size, class, volume and access mode), so the
// claim the DataVolume controller makes is named o.Name too.
func (o *Options) DataVolume(namespace string) (*cdiv1beta1.DataVolume, error) {
	q, err := o.quantity()
	if err != nil {
		return nil, err
	}
	mode, err := o.volumeMode()
	if err != nil {
		return nil, err
	}
	access, err := o.accessMode()
	if err != nil {
		return nil, err
	}
	storage := &cdiv1beta1.StorageSpec{
		Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: q}},
		StorageClassName: o.StorageClass,
		VolumeMode:       mode,
	}
	if access != "" {
		storage.AccessModes = []string{access}
	}
	return &cdiv1beta1.DataVolume{
		TypeMeta:   metav1.TypeMeta{APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: namespace},
		Spec: cdiv1beta1.DataVolumeSpec{
			Source:  &cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}},
			Storage: storage,
		},
	}, nil
}

// usable says why an existing DataVolume cannot take this upload: not an
// upload DataVolume, uploaded already, or failed. Nil: upload into it.
func usable(dv *cdiv1beta1.DataVolume) error {
	ref := dv.Namespace + "/" + dv.Name
	if dv.Spec.Source == nil || dv.Spec.Source.Upload == nil {
		return fmt.Errorf("DataVolume %s exists and is not an upload DataVolume (spec.source.upload is not set)", ref)
	}
	switch dv.Status.Phase {
	case cdiv1beta1.Succeeded:
		return fmt.Errorf("DataVolume %s has been uploaded already (phase Succeeded)", ref)
	case cdiv1beta1.Failed:
		return fmt.Errorf("DataVolume %s failed%s; delete and recreate it", ref, runningMessage(dv))
	}
	return nil
}

// readyForUpload reports whether dv takes the image now (UploadReady), or an
// error when it never will (Succeeded without us, Failed).
func readyForUpload(dv *cdiv1beta1.DataVolume) (bool, error) {
	if dv.Status.Phase == cdiv1beta1.UploadReady {
		return true, nil
	}
	return false, usable(dv)
}

// processed reports whether dv has Succeeded, or an error once it Failed.
func processed(dv *cdiv1beta1.DataVolume) (bool, error) {
	switch dv.Status.Phase {
	case cdiv1beta1.Succeeded:
		return true, nil
	case cdiv1beta1.Failed:
		return false, fmt.Errorf("DataVolume %s/%s failed after the upload%s", dv.Namespace, dv.Name, runningMessage(dv))
	}
	return false, nil
}

// runningMessage is ": <message>" of the Running condition, which carries the
// transfer pod's reason, or nothing.
func runningMessage(dv *cdiv1beta1.DataVolume) string {
	for _, c := range dv.Status.Conditions {
		if c.Type == cdiv1beta1.DataVolumeRunning && c.Message != "" {
			return ": " + c.Message
		}
	}
	return ""
}
