package subresources

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/nodecert"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	"kvirt.io/kvirt/tests/framework/secretvolume"
)

const handlerServiceName = "virt-handler.kubevirt.svc"

// pemPair is a self-signed pair (its own CA) as file contents.
type pemPair struct{ cert, key []byte }

func newPair(t *testing.T, cn string, hosts ...string) pemPair {
	t.Helper()
	p, err := certs.WriteSelfSigned(t.TempDir(), cn, hosts)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return pemPair{cert: p.CAPEM, key: key}
}

func writePair(t *testing.T, dir string, p pemPair) (string, string) {
	t.Helper()
	secretvolume.Write(t, dir, map[string][]byte{"tls.crt": p.cert, "tls.key": p.key})
	return filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
}

// proxyTo is a subresource server whose VMI runs on a node advertising addr.
func proxyTo(t *testing.T, addr string, cfg NodeClientConfig) *Server {
	t.Helper()
	nodeTLS, err := NewNodeTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1",
		Annotations: map[string]string{virtv1.NodeAPIAddressAnnotation: addr}}}
	return New(Config{Kube: kubefake.NewClientset(node), Kvirt: kvirtfake.NewSimpleClientset(vmiOnNS()), NodeTLS: nodeTLS})
}

// TestNodeTLSServerName: the handler's certificate names only the Service DNS
// name, and virt-api dials the node IP; --handler-server-name makes that work.
func TestNodeTLSServerName(t *testing.T) {
	dir := t.TempDir()
	handler := newPair(t, "virt-handler", handlerServiceName)
	client := newPair(t, "kubevirt.io:system:client:virt-handler", "client")
	hCert, hKey := writePair(t, filepath.Join(dir, "handler"), handler)
	cCert, cKey := writePair(t, filepath.Join(dir, "client"), client)
	tlsCfg, err := nodeapi.TLSConfig(hCert, hKey, cCert)
	if err != nil {
		t.Fatal(err)
	}
	addr := fakeNodeAPIWith(t, tlsCfg)
	cases := []struct {
		serverName string
		want       int
	}{
		{"", http.StatusBadGateway}, // 127.0.0.1 is not in the certificate
		{handlerServiceName, http.StatusOK},
		{"virt-handler.elsewhere.svc", http.StatusBadGateway},
	}
	for _, tc := range cases {
		s := proxyTo(t, addr, NodeClientConfig{CertFile: cCert, KeyFile: cKey, CAFile: hCert, ServerName: tc.serverName})
		if rec := call(s, http.MethodPut, "pause"); rec.Code != tc.want {
			t.Errorf("server name %q: pause answered %d, want %d: %s", tc.serverName, rec.Code, tc.want, rec.Body)
		}
	}
}

// TestNodeTLSVerifiesTheVMIsNode: with per-node names, virt-api accepts only
// the certificate of the VMI's node (n1): another node's certificate from the
// same CA, or the former shared name, is refused.
func TestNodeTLSVerifiesTheVMIsNode(t *testing.T) {
	dir := t.TempDir()
	client := newPair(t, "kubevirt.io:system:client:virt-handler", "client")
	cCert, cKey := writePair(t, filepath.Join(dir, "client"), client)
	for _, tc := range []struct {
		name string
		want int
	}{
		{nodecert.ServerName("n1", "kubevirt"), http.StatusOK},
		{nodecert.ServerName("n2", "kubevirt"), http.StatusBadGateway},
		{nodecert.ServerName("n1", "elsewhere"), http.StatusBadGateway},
		{handlerServiceName, http.StatusBadGateway},
	} {
		handler := newPair(t, "virt-handler", tc.name)
		hCert, hKey := writePair(t, filepath.Join(dir, tc.name), handler)
		tlsCfg, err := nodeapi.TLSConfig(hCert, hKey, cCert)
		if err != nil {
			t.Fatal(err)
		}
		addr := fakeNodeAPIWith(t, tlsCfg)
		s := proxyTo(t, addr, NodeClientConfig{CertFile: cCert, KeyFile: cKey, CAFile: hCert, HandlerNamespace: "kubevirt"})
		if rec := call(s, http.MethodPut, "pause"); rec.Code != tc.want {
			t.Errorf("handler of n1 presenting %s: pause answered %d, want %d: %s", tc.name, rec.Code, tc.want, rec.Body)
		}
		if got := s.cfg.NodeTLS.For("n1", addr).ServerName; got != nodecert.ServerName("n1", "kubevirt") {
			t.Errorf("dial of n1 verifies %q", got)
		}
	}
}

// TestNodeTLSFollowsCARotation: the handler's certificate rotates to a new CA;
// virt-api refuses it until its CA bundle volume is updated, then accepts it
// without being rebuilt.
func TestNodeTLSFollowsCARotation(t *testing.T) {
	dir := t.TempDir()
	oldHandler, newHandler := newPair(t, "virt-handler", handlerServiceName), newPair(t, "virt-handler", handlerServiceName)
	client := newPair(t, "client", "client")
	hDir, caDir := filepath.Join(dir, "handler"), filepath.Join(dir, "ca")
	hCert, hKey := writePair(t, hDir, oldHandler)
	cCert, cKey := writePair(t, filepath.Join(dir, "client"), client)
	secretvolume.Write(t, caDir, map[string][]byte{"ca-bundle": oldHandler.cert})
	tlsCfg, err := nodeapi.TLSConfig(hCert, hKey, cCert)
	if err != nil {
		t.Fatal(err)
	}
	s := proxyTo(t, fakeNodeAPIWith(t, tlsCfg), NodeClientConfig{CertFile: cCert, KeyFile: cKey,
		CAFile: filepath.Join(caDir, "ca-bundle"), ServerName: handlerServiceName})
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"before rotation", func() {}, http.StatusOK},
		{"handler rotated, bundle not yet", func() { writePair(t, hDir, newHandler) }, http.StatusBadGateway},
		{"bundle holds new and old CA", func() {
			secretvolume.Write(t, caDir, map[string][]byte{"ca-bundle": append(append([]byte{}, newHandler.cert...), oldHandler.cert...)})
		}, http.StatusOK},
	}
	for _, st := range steps {
		st.do()
		s.nodeClient.CloseIdleConnections() // every step is a new handshake
		if rec := call(s, http.MethodPut, "pause"); rec.Code != st.want {
			t.Fatalf("%s: pause answered %d, want %d: %s", st.name, rec.Code, st.want, rec.Body)
		}
	}
}
