package csrsigner

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
)

// runSync decides csr once with a fake apiserver and returns what it holds after.
func runSync(t *testing.T, csr *certificatesv1.CertificateSigningRequest) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	now := time.Now()
	ca := testCA(t, now, 24*time.Hour)
	key, err := x509.MarshalPKCS8PrivateKey(ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt-ca", Namespace: "kubevirt"}, Data: map[string][]byte{
		corev1.TLSCertKey:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate[0]}),
		corev1.TLSPrivateKeyKey: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
	}}
	kube := fake.NewClientset(secret, csr)
	factory := informers.NewSharedInformerFactory(kube, 0)
	c, err := New(Config{Kube: kube, CSRs: factory.Certificates().V1().CertificateSigningRequests(), Policy: policy,
		CASecret: "kubevirt-ca", Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	if err := c.sync(ctx, csr.Name); err != nil {
		t.Fatal(err)
	}
	got, err := kube.CertificatesV1().CertificateSigningRequests().Get(ctx, csr.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestControllerSignsTheHandlersRequest(t *testing.T) {
	got := runSync(t, request(t, csrOpts{}))
	if !has(got, certificatesv1.CertificateApproved) || len(got.Status.Certificate) == 0 {
		t.Fatalf("not approved and signed: %+v", got.Status)
	}
}

func TestControllerDeniesWithReason(t *testing.T) {
	got := runSync(t, request(t, csrOpts{extra: map[string]certificatesv1.ExtraValue{"authentication.kubernetes.io/node-name": {"node-b"}}}))
	if !has(got, certificatesv1.CertificateDenied) || len(got.Status.Certificate) > 0 ||
		got.Status.Conditions[0].Reason != ReasonWrongNode {
		t.Fatalf("not denied WrongNode: %+v", got.Status)
	}
}

func TestControllerNeverSignsWhatSomeoneElseApproved(t *testing.T) {
	csr := request(t, csrOpts{user: "alice"})
	csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved,
		Status: corev1.ConditionTrue, Reason: "ManualApproval"}}
	got := runSync(t, csr)
	if !has(got, certificatesv1.CertificateFailed) || len(got.Status.Certificate) > 0 {
		t.Fatalf("a request approved against the policy was signed or not failed: %+v", got.Status)
	}
}

func TestControllerIgnoresOtherSigners(t *testing.T) {
	csr := request(t, csrOpts{})
	csr.Spec.SignerName = "kubernetes.io/kubelet-serving"
	if got := runSync(t, csr); len(got.Status.Conditions) > 0 || len(got.Status.Certificate) > 0 {
		t.Fatalf("touched another signer's request: %+v", got.Status)
	}
}
