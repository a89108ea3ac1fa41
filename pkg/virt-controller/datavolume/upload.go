package datavolume

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

// Upload server certificates: issued per DataVolume, valid UploadCertValidity,
// reused by a later attempt only while at least uploadCertMinLeft remains.
const (
	UploadCertValidity = 48 * time.Hour
	uploadCertMinLeft  = 24 * time.Hour
	// UploadCAKey is the Secret key holding the CA bundle upload clients'
	// certificates must chain to (the kubevirt-ca bundle).
	UploadCAKey = "ca.crt"
)

// errNoUploadCA: the controller was started without the client CA bundle.
var errNoUploadCA = errors.New("no upload client CA bundle configured (virt-controller --upload-client-ca)")

// UploadTLSSecret is the kubernetes.io/tls Secret an upload pod mounts at /tls:
// the server's certificate and key and the bundle of the CA whose certificate
// named certs.UploadProxyCommonName the server accepts, controlled by dv.
func UploadTLSSecret(dv *cdiv1beta1.DataVolume, cert certs.ServerCert, clientCA []byte) *corev1.Secret {
	t := true
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: UploadTLSSecretName(dv), Namespace: dv.Namespace, Labels: map[string]string{LabelApp: LabelAppValue},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind,
				Name: dv.Name, UID: dv.UID, Controller: &t, BlockOwnerDeletion: &t,
			}},
		},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: cert.CertPEM, corev1.TLSPrivateKeyKey: cert.KeyPEM, UploadCAKey: clientCA},
	}
}

// ReusableUploadSecret returns the pinned fingerprint of an existing upload
// Secret a new pod may mount as it is: controlled by dv, holding clientCA, and
// its certificate valid for at least a day more. Empty: issue a new one.
func ReusableUploadSecret(s *corev1.Secret, dv *cdiv1beta1.DataVolume, clientCA []byte, now time.Time) string {
	if s == nil || !metav1.IsControlledBy(s, dv) || string(s.Data[UploadCAKey]) != string(clientCA) ||
		len(s.Data[corev1.TLSPrivateKeyKey]) == 0 {
		return ""
	}
	sum, notAfter, err := certs.PEMFingerprint(s.Data[corev1.TLSCertKey])
	if err != nil || notAfter.Sub(now) < uploadCertMinLeft {
		return ""
	}
	return sum
}

// prepareUploadPod makes sure the upload pod's TLS Secret exists with a
// certificate that is good, and pins that certificate on pod (annotation
// uploadcontract.AnnServerCertSHA256), which virt-api checks.
func (c *Controller) prepareUploadPod(ctx context.Context, dv *cdiv1beta1.DataVolume, pod *corev1.Pod) error {
	if c.cfg.UploadClientCA == nil {
		return errNoUploadCA
	}
	ca, err := c.cfg.UploadClientCA()
	if err != nil {
		return fmt.Errorf("read upload client ca: %w", err)
	}
	secrets := c.cfg.Kube.CoreV1().Secrets(dv.Namespace)
	existing, err := secrets.Get(ctx, UploadTLSSecretName(dv), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		existing = nil
	case err != nil:
		return fmt.Errorf("get secret %s: %w", UploadTLSSecretName(dv), err)
	case !metav1.IsControlledBy(existing, dv):
		return fmt.Errorf("secret %s/%s exists and is not this DataVolume's", dv.Namespace, existing.Name)
	}
	sum := ReusableUploadSecret(existing, dv, ca, time.Now())
	if sum == "" {
		cert, err := certs.IssueSelfSignedServer(time.Now(), pod.Name, UploadCertValidity)
		if err != nil {
			return fmt.Errorf("issue upload server certificate: %w", err)
		}
		want := UploadTLSSecret(dv, cert, ca)
		if existing == nil {
			_, err = secrets.Create(ctx, want, metav1.CreateOptions{})
		} else {
			want.ResourceVersion = existing.ResourceVersion
			_, err = secrets.Update(ctx, want, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("write secret %s: %w", want.Name, err)
		}
		sum = cert.SHA256
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[uploadcontract.AnnServerCertSHA256] = sum
	return nil
}

// prepareUpload runs prepareUploadPod for an upload server pod (the one
// mounting the TLS Secret) and leaves other pods alone.
func (c *Controller) prepareUpload(ctx context.Context, dv *cdiv1beta1.DataVolume, pod *corev1.Pod) error {
	for _, v := range pod.Spec.Volumes {
		if v.Name == uploadTLSName {
			return c.prepareUploadPod(ctx, dv, pod)
		}
	}
	return nil
}
