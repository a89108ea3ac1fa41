package operatorpki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/nodecert"
	"kvirt.io/kvirt/pkg/virt-handler/servingcert"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/pkg/virt-operator/csrsigner"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/tests/framework/background"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/poll"
)

// nodeCSRCASecret is this test's signing CA (not the install's kubevirt-ca,
// which other tests rotate).
const nodeCSRCASecret = "node-api-test-ca"

// startSigner runs virt-operator's node API signer as the operator's own
// ServiceAccount (the release RBAC) and returns the CA it signs with.
func startSigner(t *testing.T) *x509.Certificate {
	t.Helper()
	ctx := testContext(t)
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	operator := kubernetes.NewForConfigOrDie(componentrbac.Config(t, cp.RESTConfig(), componentrbac.Operator))
	plan, err := certs.Desired(time.Now(), installNS, certs.Validity{CA: 24 * time.Hour, Cert: time.Hour}, certs.Observed{})
	if err != nil {
		t.Fatal(err)
	}
	ca := plan.Secrets[0].DeepCopy()
	ca.Name = nodeCSRCASecret
	if _, err := admin.CoreV1().Secrets(installNS).Create(ctx, ca, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		_, err = admin.CoreV1().Secrets(installNS).Update(ctx, ca, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(operator, 0, informers.WithTweakListOptions(
		func(o *metav1.ListOptions) { o.FieldSelector = csrsigner.FieldSelector }))
	signer, err := csrsigner.New(csrsigner.Config{Kube: operator,
		CSRs:     factory.Certificates().V1().CertificateSigningRequests(),
		Policy:   csrsigner.Policy{Namespace: installNS, ServiceAccount: rbac.HandlerName},
		CASecret: nodeCSRCASecret, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	background.Run(t, "node-api-signer", func(ctx context.Context) error {
		factory.Start(ctx.Done())
		defer factory.Shutdown()
		return signer.Run(ctx, 1)
	})
	block, _ := pem.Decode(ca.Data[corev1.TLSCertKey])
	caCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return caCert
}

// asHandlerOn is the handler ServiceAccount as its token on node would
// authenticate it: impersonated with the node-name extra.
func asHandlerOn(node string) kubernetes.Interface {
	cfg := componentrbac.As(cp.RESTConfig(), componentrbac.Handler)
	cfg.Impersonate.Extra = map[string][]string{nodecert.NodeNameExtra: {node}}
	return kubernetes.NewForConfigOrDie(cfg)
}

// createCSR asks, as kube, for the node API certificate of node.
func createCSR(ctx context.Context, t *testing.T, kube kubernetes.Interface, node string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	req, err := nodecert.Request(key, nodecert.ServerName(node, installNS))
	if err != nil {
		t.Fatal(err)
	}
	csr, err := kube.CertificatesV1().CertificateSigningRequests().Create(ctx, &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "node-api-test-"},
		Spec:       certificatesv1.CertificateSigningRequestSpec{SignerName: nodecert.SignerName, Request: req, Usages: nodecert.Usages},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create csr: %v", err)
	}
	t.Cleanup(func() {
		_ = kubernetes.NewForConfigOrDie(cp.RESTConfig()).CertificatesV1().CertificateSigningRequests().Delete(
			context.Background(), csr.Name, metav1.DeleteOptions{})
	})
	return csr.Name
}

// awaitDecision polls the CSR until it is signed or denied.
func awaitDecision(ctx context.Context, t *testing.T, name string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	var csr *certificatesv1.CertificateSigningRequest
	poll.Eventually(t, apiTimeout, "decision on csr "+name, func() error {
		var err error
		if csr, err = admin.CertificatesV1().CertificateSigningRequests().Get(ctx, name, metav1.GetOptions{}); err != nil {
			return err
		}
		if len(csr.Status.Certificate) > 0 || hasCondition(csr, certificatesv1.CertificateDenied) {
			return nil
		}
		return fmt.Errorf("undecided: conditions %v", csr.Status.Conditions)
	})
	return csr
}

func hasCondition(csr *certificatesv1.CertificateSigningRequest, typ certificatesv1.RequestConditionType) bool {
	return slices.ContainsFunc(csr.Status.Conditions, func(c certificatesv1.CertificateSigningRequestCondition) bool {
		return c.Type == typ && c.Status == corev1.ConditionTrue
	})
}

func deniedFor(t *testing.T, csr *certificatesv1.CertificateSigningRequest, reason string) {
	t.Helper()
	for _, c := range csr.Status.Conditions {
		if c.Type == certificatesv1.CertificateDenied && c.Reason == reason && len(csr.Status.Certificate) == 0 {
			return
		}
	}
	t.Fatalf("csr %s: conditions %+v, certificate %d bytes; want Denied %s", csr.Name, csr.Status.Conditions,
		len(csr.Status.Certificate), reason)
}

// checkIssued verifies that csr's certificate names node and chains to ca.
func checkIssued(t *testing.T, csr *certificatesv1.CertificateSigningRequest, ca *x509.Certificate, node string) {
	t.Helper()
	if !hasCondition(csr, certificatesv1.CertificateApproved) {
		t.Fatalf("csr %s signed without approval: %+v", csr.Name, csr.Status.Conditions)
	}
	block, _ := pem.Decode(csr.Status.Certificate)
	if block == nil {
		t.Fatalf("csr %s: no certificate", csr.Name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	verifyNodeCert(t, cert, ca, node)
}

func verifyNodeCert(t *testing.T, cert, ca *x509.Certificate, node string) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	want := nodecert.ServerName(node, installNS)
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: want, Roots: roots,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Fatalf("certificate %s %q does not verify as %s: %v", cert.Subject, cert.DNSNames, want, err)
	}
	if !slices.Equal(cert.DNSNames, []string{want}) || len(cert.IPAddresses) > 0 {
		t.Fatalf("certificate names %q %v, want only %s", cert.DNSNames, cert.IPAddresses, want)
	}
}

// TestNodeAPISigner: the handler of node-a gets node-a's certificate; the
// handler of node-b asking for node-a's is denied WrongNode, a tenant's
// request WrongRequester; virt-handler's own certificate manager gets its
// node's certificate through the real apiserver.
func TestNodeAPISigner(t *testing.T) {
	ctx := testContext(t)
	ca := startSigner(t)
	t.Run("handler of node-a for node-a", func(t *testing.T) {
		checkIssued(t, awaitDecision(ctx, t, createCSR(ctx, t, asHandlerOn("node-a"), "node-a")), ca, "node-a")
	})
	t.Run("handler of node-b for node-a", func(t *testing.T) {
		deniedFor(t, awaitDecision(ctx, t, createCSR(ctx, t, asHandlerOn("node-b"), "node-a")), csrsigner.ReasonWrongNode)
	})
	t.Run("tenant service account", func(t *testing.T) {
		tenant := allowCSRCreate(ctx, t, "tenant", "default")
		deniedFor(t, awaitDecision(ctx, t, createCSR(ctx, t, tenant, "node-a")), csrsigner.ReasonWrongRequester)
	})
	t.Run("virt-handler's certificate manager", func(t *testing.T) {
		m, err := servingcert.New(servingcert.Config{Client: asHandlerOn("node-c"), NodeName: "node-c",
			Namespace: installNS, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		background.Run(t, "servingcert", m.Run)
		select {
		case <-m.Ready():
		case <-time.After(apiTimeout):
			t.Fatal("no certificate within the deadline")
		}
		pair, err := m.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		verifyNodeCert(t, pair.Leaf, ca, "node-c")
	})
}

// allowCSRCreate lets a tenant ServiceAccount create CSRs (as a careless
// admin might) and returns a client acting as it.
func allowCSRCreate(ctx context.Context, t *testing.T, namespace, name string) kubernetes.Interface {
	t.Helper()
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	ensureNamespace(ctx, t, admin, namespace)
	role := "test-csr-creator"
	objs := []any{
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: role}, Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"certificatesigningrequests"},
			Verbs: []string{"create", "get"}}}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}}},
	}
	for _, o := range objs {
		var err error
		switch v := o.(type) {
		case *rbacv1.ClusterRole:
			_, err = admin.RbacV1().ClusterRoles().Create(ctx, v, metav1.CreateOptions{})
		case *rbacv1.ClusterRoleBinding:
			_, err = admin.RbacV1().ClusterRoleBindings().Create(ctx, v, metav1.CreateOptions{})
		}
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	cfg := rest.CopyConfig(cp.RESTConfig())
	cfg.Impersonate = rest.ImpersonationConfig{UserName: serviceAccountUser(namespace, name),
		Groups: []string{"system:serviceaccounts", "system:authenticated"},
		Extra:  map[string][]string{nodecert.NodeNameExtra: {"node-a"}}}
	kube := kubernetes.NewForConfigOrDie(cfg)
	poll.Eventually(t, apiTimeout, "tenant may create csrs", func() error {
		_, err := kube.CertificatesV1().CertificateSigningRequests().Get(ctx, "none", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("get: %w", err)
	})
	return kube
}

// TestPodTokenCarriesNodeClaim: on this apiserver version a token bound to
// virt-handler's pod on node-t records the node in the CSR's extra, so the
// signer's node check works with real tokens, not only impersonation.
func TestPodTokenCarriesNodeClaim(t *testing.T) {
	ctx := testContext(t)
	ca := startSigner(t)
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-t"}}
	if _, err := admin.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "virt-handler-", Namespace: installNS},
		Spec: corev1.PodSpec{ServiceAccountName: rbac.HandlerName, NodeName: "node-t",
			Containers: []corev1.Container{{Name: "virt-handler", Image: "kvirt.local/virt-handler:test"}}}}
	pod, err := admin.CoreV1().Pods(installNS).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.CoreV1().Pods(installNS).Delete(context.Background(), pod.Name, *metav1.NewDeleteOptions(0))
	})
	tr, err := admin.CoreV1().ServiceAccounts(installNS).CreateToken(ctx, rbac.HandlerName, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{
			Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	cfg := rest.AnonymousClientConfig(cp.RESTConfig())
	cfg.BearerToken = tr.Status.Token
	csr := awaitDecision(ctx, t, createCSR(ctx, t, kubernetes.NewForConfigOrDie(cfg), "node-t"))
	if got := csr.Spec.Extra[nodecert.NodeNameExtra]; !slices.Equal(got, certificatesv1.ExtraValue{"node-t"}) {
		t.Fatalf("csr extra %s = %q, want node-t (extra: %v)", nodecert.NodeNameExtra, got, csr.Spec.Extra)
	}
	checkIssued(t, csr, ca, "node-t")
}
