package datavolume

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

// uploadSecretOf is the Secret the pod's TLS volume names.
func uploadSecretOf(t *testing.T, kube *fake.Clientset, pod *corev1.Pod) *corev1.Secret {
	t.Helper()
	for _, v := range pod.Spec.Volumes {
		if v.Name == uploadTLSName {
			s, err := kube.CoreV1().Secrets(pod.Namespace).Get(context.Background(), v.Secret.SecretName, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatal("no TLS volume")
	return nil
}

// TestPrepareUploadPod: an upload pod gets a new Secret, controlled by the
// DataVolume, whose certificate names the pod and whose fingerprint the pod
// carries; a second attempt gets another Secret and pin (nothing is read
// back); without a CA bundle no pod is prepared; importer pods are left alone.
func TestPrepareUploadPod(t *testing.T) {
	dv := dvWith(&cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}})
	kube := fake.NewClientset()
	ca := func() ([]byte, error) { return []byte("bundle"), nil }
	c := &Controller{cfg: Config{Kube: kube, UploadClientCA: ca}}
	pod := Pod(dv, ownClaim(dv, corev1.ClaimBound), Source{Kind: SourceUpload}, nil, 0, PodConfig{Image: "i", ProgressPort: 8443})
	ctx := context.Background()
	again := pod.DeepCopy()
	if err := c.prepareUpload(ctx, dv, pod); err != nil {
		t.Fatal(err)
	}
	s := uploadSecretOf(t, kube, pod)
	pair, err := tls.X509KeyPair(s.Data["tls.crt"], s.Data["tls.key"])
	if err != nil {
		t.Fatal(err)
	}
	pin := pod.Annotations[uploadcontract.AnnServerCertSHA256]
	switch {
	case pin != certs.Fingerprint(pair.Certificate[0]) || pair.Leaf.DNSNames[0] != pod.Name || string(s.Data["ca.crt"]) != "bundle":
		t.Fatalf("pin %q, names %v, ca %q", pin, pair.Leaf.DNSNames, s.Data["ca.crt"])
	case !metav1.IsControlledBy(s, dv) || !strings.HasPrefix(s.Name, "cdi-upload-disk-tls-") || s.Type != corev1.SecretTypeTLS:
		t.Fatalf("secret %s type %s owners %+v", s.Name, s.Type, s.OwnerReferences)
	}
	if err := c.prepareUpload(ctx, dv, again); err != nil {
		t.Fatal(err)
	}
	if s2 := uploadSecretOf(t, kube, again); s2.Name == s.Name || again.Annotations[uploadcontract.AnnServerCertSHA256] == pin {
		t.Fatalf("second attempt reused secret %s / pin %s", s2.Name, pin)
	}
	if err := (&Controller{cfg: Config{Kube: kube}}).prepareUpload(ctx, dv, pod); err == nil ||
		!strings.Contains(err.Error(), "--upload-client-ca") {
		t.Fatalf("without a CA: %v", err)
	}
	importer := Pod(httpDV(), ownClaim(httpDV(), corev1.ClaimBound), Source{Kind: SourceHTTP, Endpoint: "http://x"}, nil, 0, PodConfig{})
	if err := (&Controller{}).prepareUpload(ctx, httpDV(), importer); err != nil {
		t.Fatalf("an importer pod: %v", err)
	}
}
