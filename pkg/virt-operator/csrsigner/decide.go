package csrsigner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"

	"kvirt.io/kvirt/pkg/nodecert"
)

// Reasons of a denial (the Denied condition's reason) and of an approval.
const (
	ReasonApproved       = "NodeAPIServingCertificate"
	ReasonWrongRequester = "WrongRequester"
	ReasonNoNodeClaim    = "NoNodeClaim"
	ReasonBadRequest     = "BadRequest"
	ReasonBadUsages      = "BadUsages"
	ReasonWrongNode      = "WrongNode"
	ReasonBadNames       = "BadNames"
	ReasonBadKey         = "BadKey"
)

// minRSABits is the smallest RSA key accepted.
const minRSABits = 2048

// Policy is who may get which certificate: the handler service account of
// the install namespace, for the node its token is bound to.
type Policy struct {
	Namespace      string
	ServiceAccount string
}

// Decision is the verdict on one request. Approve carries the name to sign
// (the requested names were checked to be exactly it); otherwise Reason and
// Message say why it is denied.
type Decision struct {
	Approve bool
	Reason  string
	Message string
	// Node is the node the certificate names, DNSName its node API name.
	Node, DNSName string
	// Request is the parsed certificate request (nil when it does not parse).
	Request *x509.CertificateRequest
}

// Decide judges a CSR for signer kubevirt.io/node-api: the requester must be
// the install's handler service account, its token must carry a node claim,
// the request must be a well-signed PKCS#10 with an acceptable key, the
// usages exactly nodecert.Usages, and the subject and SANs exactly the
// claimed node's name (no IP, e-mail or URI SANs, no other subject fields).
func Decide(csr *certificatesv1.CertificateSigningRequest, p Policy) Decision {
	if want := nodecert.HandlerUser(p.Namespace, p.ServiceAccount); csr.Spec.Username != want {
		return deny(ReasonWrongRequester, "requester %q is not %s", csr.Spec.Username, want)
	}
	claim := csr.Spec.Extra[nodecert.NodeNameExtra]
	if len(claim) != 1 || claim[0] == "" {
		return deny(ReasonNoNodeClaim, "the requester's token carries no single %s (got %q)", nodecert.NodeNameExtra, claim)
	}
	node := claim[0]
	if !sameUsages(csr.Spec.Usages, nodecert.Usages) {
		return deny(ReasonBadUsages, "usages %q are not exactly %q", csr.Spec.Usages, nodecert.Usages)
	}
	req, d := parseRequest(csr.Spec.Request)
	if req == nil {
		return d
	}
	want, err := nodecert.ValidServerName(node, p.Namespace)
	if err != nil {
		return deny(ReasonWrongNode, "node claim: %v", err)
	}
	if d := checkNames(req, node, want, p.Namespace); !d.Approve {
		d.Request = req
		return d
	}
	if err := checkKey(req); err != nil {
		return Decision{Reason: ReasonBadKey, Message: err.Error(), Request: req}
	}
	return Decision{Approve: true, Reason: ReasonApproved, Node: node, DNSName: want, Request: req,
		Message: "virt-handler of node " + node + " asks for its node API serving certificate"}
}

func deny(reason, format string, args ...any) Decision {
	return Decision{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// sameUsages says whether got holds exactly the usages of want, each once.
func sameUsages(got, want []certificatesv1.KeyUsage) bool {
	if len(got) != len(want) {
		return false
	}
	for _, u := range want {
		if !slices.Contains(got, u) {
			return false
		}
	}
	return true
}

// parseRequest decodes the PEM CERTIFICATE REQUEST and checks its signature.
func parseRequest(data []byte) (*x509.CertificateRequest, Decision) {
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE REQUEST" || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, deny(ReasonBadRequest, "spec.request is not one PEM CERTIFICATE REQUEST")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, deny(ReasonBadRequest, "parse certificate request: %v", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, deny(ReasonBadRequest, "certificate request signature: %v", err)
	}
	return req, Decision{}
}

// checkNames requires the common name and the only SAN to be want, the node
// API name of the claimed node; a request naming another node of this install
// is WrongNode.
func checkNames(req *x509.CertificateRequest, node, want, namespace string) Decision {
	if len(req.IPAddresses) > 0 || len(req.EmailAddresses) > 0 || len(req.URIs) > 0 {
		return deny(ReasonBadNames, "only the DNS name %s may be requested (got IP, e-mail or URI names)", want)
	}
	suffix := "." + nodecert.HandlerService + "." + namespace + ".svc"
	for _, name := range append([]string{req.Subject.CommonName}, req.DNSNames...) {
		if name != want && strings.HasSuffix(name, suffix) {
			return deny(ReasonWrongNode, "virt-handler of node %s asks for %s", node, name)
		}
	}
	s := req.Subject
	others := len(s.Country) + len(s.Organization) + len(s.OrganizationalUnit) + len(s.Locality) +
		len(s.Province) + len(s.StreetAddress) + len(s.PostalCode) + len(s.SerialNumber)
	if s.CommonName != want || !slices.Equal(req.DNSNames, []string{want}) || others > 0 {
		return deny(ReasonBadNames, "subject %q and DNS names %q must both be exactly %s", s.String(), req.DNSNames, want)
	}
	return Decision{Approve: true}
}

// checkKey accepts ECDSA P-256/P-384 and RSA keys of at least 2048 bits.
func checkKey(req *x509.CertificateRequest) error {
	switch k := req.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("ecdsa curve %s is not P-256 or P-384", k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("rsa key of %d bits is shorter than %d", k.N.BitLen(), minRSABits)
		}
	default:
		return fmt.Errorf("key type %T is not accepted", req.PublicKey)
	}
	return nil
}
