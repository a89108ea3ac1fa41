package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/nodecert"
	"kvirt.io/kvirt/tests/framework/poll"
)

// nodeCertTimeout covers a handler that still waits for its certificate
// right after the install.
const nodeCertTimeout = 3 * time.Minute

// TestHandlerServesItsNodesCertificate: each node's virt-handler presents,
// on the address virt-api dials (the node-api-address annotation, an empty
// host meaning the InternalIP), a certificate naming that node only
// (<node>.virt-handler.kubevirt.svc) and signed by the install's CA. The
// console e2e tests show virt-api accepts it.
func TestHandlerServesItsNodesCertificate(t *testing.T) {
	nodes, err := e.kube.CoreV1().Nodes().List(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		t.Run(n.Name, func(t *testing.T) {
			poll.Eventually(t, nodeCertTimeout, "node API certificate of "+n.Name, func() error {
				return checkNodeCertificate(t, n.Name)
			})
		})
	}
}

func checkNodeCertificate(t *testing.T, nodeName string) error {
	node, err := e.kube.CoreV1().Nodes().Get(ctx(t), nodeName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	addr, err := nodeAPIAddress(node)
	if err != nil {
		return err
	}
	cm, err := e.kube.CoreV1().ConfigMaps(kvirtNamespace).Get(ctx(t), "kubevirt-ca", metav1.GetOptions{})
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(cm.Data["ca-bundle"])) {
		return errors.New("kubevirt-ca holds no certificate")
	}
	served, err := servedCertificate(ctx(t), addr)
	if err != nil {
		return err
	}
	want := nodecert.ServerName(nodeName, kvirtNamespace)
	if !slices.Equal(served.DNSNames, []string{want}) || len(served.IPAddresses) > 0 {
		return fmt.Errorf("handler at %s serves names %q %v, want only %s", addr, served.DNSNames, served.IPAddresses, want)
	}
	if _, err := served.Verify(x509.VerifyOptions{DNSName: want, Roots: roots,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return fmt.Errorf("handler certificate does not verify against the install CA: %w", err)
	}
	t.Logf("node %s: handler at %s serves %s, valid until %s", nodeName, addr, want, served.NotAfter)
	return nil
}

// nodeAPIAddress is where virt-api dials node's virt-handler.
func nodeAPIAddress(node *corev1.Node) (string, error) {
	published := node.Annotations[virtv1.NodeAPIAddressAnnotation]
	host, port, err := net.SplitHostPort(published)
	if err != nil {
		return "", fmt.Errorf("node %s publishes node API address %q: %w", node.Name, published, err)
	}
	if host != "" {
		return published, nil
	}
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return net.JoinHostPort(a.Address, port), nil
		}
	}
	return "", fmt.Errorf("node %s has no InternalIP", node.Name)
}

// servedCertificate is the leaf the server at addr presents. The test has no
// client certificate: the handler refuses the connection after sending its
// own, which is all the test reads.
func servedCertificate(ctx context.Context, addr string) (*x509.Certificate, error) {
	var leaf *x509.Certificate
	cfg := &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // verified by hand against the install CA
		MinVersion:         tls.VersionTLS13,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate presented")
			}
			c, err := x509.ParseCertificate(raw[0])
			leaf = c
			return err
		},
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := (&tls.Dialer{Config: cfg}).DialContext(dialCtx, "tcp", addr)
	if conn != nil {
		_ = conn.Close()
	}
	if leaf == nil {
		return nil, fmt.Errorf("tls to %s: no certificate: %w", addr, err)
	}
	return leaf, nil
}
