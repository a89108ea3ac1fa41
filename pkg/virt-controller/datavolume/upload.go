package datavolume

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

// Upload server certificates: one per upload pod, valid UploadCertValidity.
const (
	UploadCertValidity = 48 * time.Hour
	// UploadCAKey is the Secret key holding the CA bundle upload clients'
	// certificates must chain to (the kubevirt-ca bundle).
	UploadCAKey = "ca.crt"
)

// errNoUploadCA: the controller was started without the client CA bundle.
var errNoUploadCA = errors.New("no upload client CA bundle configured (virt-controller --upload-client-ca)")

// UploadTLSSecret is the kubernetes.io/tls Secret an upload pod mounts at /tls:
// the server's certificate and key and the bundle of the CA whose certificate
// named certs.UploadProxyCommonName the server accepts, controlled by dv, named
// UploadTLSSecretName(dv) and the start of the certificate's fingerprint.
func UploadTLSSecret(dv *cdiv1beta1.DataVolume, cert certs.ServerCert, clientCA []byte) *corev1.Secret {
	t := true
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: UploadTLSSecretName(dv) + "-" + cert.SHA256[:12], Namespace: dv.Namespace, Labels: map[string]string{LabelApp: LabelAppValue},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind,
				Name: dv.Name, UID: dv.UID, Controller: &t, BlockOwnerDeletion: &t,
			}},
		},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: cert.CertPEM, corev1.TLSPrivateKeyKey: cert.KeyPEM, UploadCAKey: clientCA},
	}
}

// prepareUploadPod issues the upload pod its own server certificate in a new
// Secret (named after the certificate's fingerprint, controlled by dv so it
// goes with it), points the pod's TLS volume at it and pins the certificate
// on pod (annotation uploadcontract.AnnServerCertSHA256), which virt-api
// checks. The controller only ever creates these Secrets: it needs no right
// to read the Secrets of tenant namespaces.
func (c *Controller) prepareUploadPod(ctx context.Context, dv *cdiv1beta1.DataVolume, pod *corev1.Pod) error {
	if c.cfg.UploadClientCA == nil {
		return errNoUploadCA
	}
	ca, err := c.cfg.UploadClientCA()
	if err != nil {
		return fmt.Errorf("read upload client ca: %w", err)
	}
	cert, err := certs.IssueSelfSignedServer(time.Now(), pod.Name, UploadCertValidity)
	if err != nil {
		return fmt.Errorf("issue upload server certificate: %w", err)
	}
	secret := UploadTLSSecret(dv, cert, ca)
	if _, err := c.cfg.Kube.CoreV1().Secrets(dv.Namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create secret %s: %w", secret.Name, err)
	}
	for i := range pod.Spec.Volumes {
		if v := &pod.Spec.Volumes[i]; v.Name == uploadTLSName && v.Secret != nil {
			v.Secret.SecretName = secret.Name
		}
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[uploadcontract.AnnServerCertSHA256] = cert.SHA256
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
