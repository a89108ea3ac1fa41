package datavolume

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

func TestReusableUploadSecret(t *testing.T) {
	dv := dvWith(&cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}})
	now := time.Now()
	cert, err := certs.IssueSelfSignedServer(now, "cdi-upload-disk", UploadCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	good := UploadTLSSecret(dv, cert, []byte("ca"))
	other := dv.DeepCopy()
	other.UID = "other"
	for _, tc := range []struct {
		name   string
		secret *corev1.Secret
		ca     string
		now    time.Time
		reuse  bool
	}{
		{"none", nil, "ca", now, false},
		{"fresh and ours", good, "ca", now, true},
		{"the CA bundle changed", good, "ca2", now, false},
		{"less than a day left", good, "ca", now.Add(UploadCertValidity - 23*time.Hour), false},
		{"another DataVolume's", UploadTLSSecret(other, cert, []byte("ca")), "ca", now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReusableUploadSecret(tc.secret, dv, []byte(tc.ca), tc.now)
			if (got != "") != tc.reuse || tc.reuse && got != cert.SHA256 {
				t.Fatalf("ReusableUploadSecret = %q, want reuse %v (%s)", got, tc.reuse, cert.SHA256)
			}
		})
	}
	if good.Type != corev1.SecretTypeTLS || !metav1.IsControlledBy(good, dv) || good.Name != "cdi-upload-disk-tls" {
		t.Fatalf("secret %+v", good.ObjectMeta)
	}
}

// TestPrepareUploadPod: the Secret is created with a certificate for the pod's
// name whose fingerprint the pod carries; a second pod reuses it; without a
// CA bundle, or with a Secret of that name not controlled by the DataVolume,
// no pod is prepared.
func TestPrepareUploadPod(t *testing.T) {
	dv := dvWith(&cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}})
	kube := fake.NewClientset()
	ca := func() ([]byte, error) { return []byte("bundle"), nil }
	c := &Controller{cfg: Config{Kube: kube, UploadClientCA: ca}}
	pod := Pod(dv, ownClaim(dv, corev1.ClaimBound), Source{Kind: SourceUpload}, nil, 0, PodConfig{Image: "i", ProgressPort: 8443})
	ctx := context.Background()
	if err := c.prepareUpload(ctx, dv, pod); err != nil {
		t.Fatal(err)
	}
	s, err := kube.CoreV1().Secrets(dv.Namespace).Get(ctx, "cdi-upload-disk-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(s.Data["tls.crt"], s.Data["tls.key"])
	if err != nil {
		t.Fatal(err)
	}
	pin := pod.Annotations[uploadcontract.AnnServerCertSHA256]
	if pin != certs.Fingerprint(pair.Certificate[0]) || pair.Leaf.DNSNames[0] != pod.Name || string(s.Data["ca.crt"]) != "bundle" {
		t.Fatalf("pin %q, names %v, ca %q", pin, pair.Leaf.DNSNames, s.Data["ca.crt"])
	}
	again := pod.DeepCopy()
	again.Annotations = nil
	if err := c.prepareUpload(ctx, dv, again); err != nil || again.Annotations[uploadcontract.AnnServerCertSHA256] != pin {
		t.Fatalf("second attempt: %v, pin %q want %q", err, again.Annotations[uploadcontract.AnnServerCertSHA256], pin)
	}
	if err := (&Controller{cfg: Config{Kube: kube}}).prepareUpload(ctx, dv, pod); err == nil ||
		!strings.Contains(err.Error(), "--upload-client-ca") {
		t.Fatalf("without a CA: %v", err)
	}
	s.OwnerReferences = nil
	if _, err := kube.CoreV1().Secrets(dv.Namespace).Update(ctx, s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.prepareUpload(ctx, dv, pod); err == nil || !strings.Contains(err.Error(), "is not this DataVolume's") {
		t.Fatalf("foreign secret: %v", err)
	}
	importer := Pod(httpDV(), ownClaim(httpDV(), corev1.ClaimBound), Source{Kind: SourceHTTP, Endpoint: "http://x"}, nil, 0, PodConfig{})
	if err := (&Controller{}).prepareUpload(ctx, httpDV(), importer); err != nil {
		t.Fatalf("an importer pod: %v", err)
	}
}
