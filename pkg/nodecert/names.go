package nodecert

import (
	"fmt"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
)

// SignerName is the certificates.k8s.io signer virt-operator serves: it signs
// node API serving certificates with the install's CA.
const SignerName = "kubevirt.io/node-api"

// NodeNameExtra is the user-info extra key under which the apiserver records
// the node a pod-bound service account token was issued for (the token's
// kubernetes.io node claim); a CertificateSigningRequest keeps it in
// spec.extra.
const NodeNameExtra = "authentication.kubernetes.io/node-name"

// HandlerService is the name virt-handler's node names hang under (there is
// no such Service object: the name only has to be unique to the install).
const HandlerService = "virt-handler"

// maxDNSName is the longest DNS name (RFC 1035, without the final dot).
const maxDNSName = 253

// Usages are exactly the key usages a node API serving certificate requests:
// it serves the node API, and authenticates the node's handler as a client
// to the other nodes' handlers (the live migration relay).
var Usages = []certificatesv1.KeyUsage{
	certificatesv1.UsageDigitalSignature,
	certificatesv1.UsageKeyEncipherment,
	certificatesv1.UsageServerAuth,
	certificatesv1.UsageClientAuth,
}

// ServerName is the DNS name in the node API serving certificate of node's
// virt-handler in the install namespace ("<node>.virt-handler.<ns>.svc"); it
// is also the certificate's common name, and what virt-api verifies when it
// dials that node's handler.
func ServerName(node, namespace string) string {
	return node + "." + HandlerService + "." + namespace + ".svc"
}

// ValidServerName is ServerName after checking that node and namespace make
// a DNS name of legal length.
func ValidServerName(node, namespace string) (string, error) {
	if node == "" || namespace == "" {
		return "", fmt.Errorf("node (%q) and namespace (%q) are required", node, namespace)
	}
	if strings.ContainsAny(node+namespace, "/: ") {
		return "", fmt.Errorf("node %q or namespace %q is not a DNS name", node, namespace)
	}
	name := ServerName(node, namespace)
	if len(name) > maxDNSName {
		return "", fmt.Errorf("node API name %s is longer than %d characters", name, maxDNSName)
	}
	return name, nil
}

// HandlerUser is the username of the handler service account in namespace.
func HandlerUser(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}

// NodeOf is the node whose handler a node API certificate name (ServerName)
// belongs to in namespace; false for any other name.
func NodeOf(name, namespace string) (string, bool) {
	node, ok := strings.CutSuffix(name, "."+HandlerService+"."+namespace+".svc")
	if !ok || node == "" || strings.ContainsAny(node, "/: ") {
		return "", false
	}
	return node, true
}
