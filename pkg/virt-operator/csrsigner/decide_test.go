package csrsigner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kvirt.io/kvirt/pkg/nodecert"
)

var policy = Policy{Namespace: "kubevirt", ServiceAccount: "kubevirt-handler"}

const handler = "system:serviceaccount:kubevirt:kubevirt-handler"

// csrOpts builds one request; zero values mean "as virt-handler of node-a asks".
type csrOpts struct {
	user     string
	extra    map[string]certificatesv1.ExtraValue
	usages   []certificatesv1.KeyUsage
	tmpl     *x509.CertificateRequest
	key      any
	rawPEM   []byte
	noClaims bool
}

func request(t *testing.T, o csrOpts) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	if o.user == "" {
		o.user = handler
	}
	if o.extra == nil && !o.noClaims {
		o.extra = map[string]certificatesv1.ExtraValue{nodecert.NodeNameExtra: {"node-a"}}
	}
	if o.usages == nil {
		o.usages = nodecert.Usages
	}
	if o.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		o.key = k
	}
	if o.tmpl == nil {
		name := nodecert.ServerName("node-a", "kubevirt")
		o.tmpl = &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}
	}
	if o.rawPEM == nil {
		der, err := x509.CreateCertificateRequest(rand.Reader, o.tmpl, o.key)
		if err != nil {
			t.Fatal(err)
		}
		o.rawPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "node-api-node-a"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			SignerName: nodecert.SignerName, Request: o.rawPEM, Usages: o.usages,
			Username: o.user, Extra: o.extra,
		},
	}
}

func names(cn string, dns ...string) *x509.CertificateRequest {
	return &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}
}

func TestDecide(t *testing.T) {
	nodeA, nodeB := nodecert.ServerName("node-a", "kubevirt"), nodecert.ServerName("node-b", "kubevirt")
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // the row checks that it is refused
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, tc := range []struct {
		name string
		opts csrOpts
		want string
	}{
		{"handler asks for its own node", csrOpts{}, ReasonApproved},
		{"P-384 key", csrOpts{key: p384}, ReasonApproved},
		{"usages in another order", csrOpts{usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth,
			certificatesv1.UsageServerAuth, certificatesv1.UsageKeyEncipherment, certificatesv1.UsageDigitalSignature}},
			ReasonApproved},
		{"tenant service account", csrOpts{user: "system:serviceaccount:tenant:default"}, ReasonWrongRequester},
		{"handler name in another namespace", csrOpts{user: "system:serviceaccount:evil:kubevirt-handler"}, ReasonWrongRequester},
		{"a user", csrOpts{user: "alice"}, ReasonWrongRequester},
		{"token without node claim", csrOpts{noClaims: true}, ReasonNoNodeClaim},
		{"two node claims", csrOpts{extra: map[string]certificatesv1.ExtraValue{
			nodecert.NodeNameExtra: {"node-a", "node-b"}}}, ReasonNoNodeClaim},
		{"node-b asks for node-a", csrOpts{extra: map[string]certificatesv1.ExtraValue{
			nodecert.NodeNameExtra: {"node-b"}}}, ReasonWrongNode},
		{"own CN, other node's SAN", csrOpts{tmpl: names(nodeA, nodeA, nodeB)}, ReasonWrongNode},
		{"client auth added", csrOpts{usages: append(append([]certificatesv1.KeyUsage{}, nodecert.Usages...),
			certificatesv1.UsageClientAuth)}, ReasonBadUsages},
		{"key encipherment missing", csrOpts{usages: []certificatesv1.KeyUsage{
			certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth}}, ReasonBadUsages},
		{"server auth twice", csrOpts{usages: []certificatesv1.KeyUsage{certificatesv1.UsageServerAuth,
			certificatesv1.UsageServerAuth, certificatesv1.UsageDigitalSignature}}, ReasonBadUsages},
		{"the shared service name", csrOpts{tmpl: names("virt-handler.kubevirt.svc", "virt-handler.kubevirt.svc")}, ReasonBadNames},
		{"extra DNS SAN", csrOpts{tmpl: names(nodeA, nodeA, "kubernetes.default.svc")}, ReasonBadNames},
		{"IP SAN", csrOpts{tmpl: &x509.CertificateRequest{Subject: pkix.Name{CommonName: nodeA}, DNSNames: []string{nodeA},
			IPAddresses: []net.IP{net.ParseIP("10.0.0.1")}}}, ReasonBadNames},
		{"no SAN", csrOpts{tmpl: names(nodeA)}, ReasonBadNames},
		{"organization in subject", csrOpts{tmpl: &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: nodeA, Organization: []string{"system:masters"}}, DNSNames: []string{nodeA}}}, ReasonBadNames},
		{"not a PEM request", csrOpts{rawPEM: []byte("garbage")}, ReasonBadRequest},
		{"short RSA key", csrOpts{key: smallRSA}, ReasonBadKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(request(t, tc.opts), policy)
			if d.Reason != tc.want || d.Approve != (tc.want == ReasonApproved) {
				t.Fatalf("decision %+v, want reason %s", d, tc.want)
			}
			if d.Message == "" {
				t.Error("decision without message")
			}
			if d.Approve && (d.Node != "node-a" || d.DNSName != nodeA) {
				t.Errorf("approved for node %q name %q", d.Node, d.DNSName)
			}
		})
	}
}
