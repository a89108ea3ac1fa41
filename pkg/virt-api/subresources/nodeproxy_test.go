package subresources

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// fakeNodeAPI answers like virt-handler's node API: pause succeeds, unpause
// is refused, guestosinfo returns JSON, console echoes what it receives.
func fakeNodeAPI(t *testing.T, pki nodeenv.PKI) string {
	t.Helper()
	tlsCfg, err := nodeapi.TLSConfig(pki.ServerCert, pki.ServerKey, pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	return fakeNodeAPIWith(t, tlsCfg)
}

func fakeNodeAPIWith(t *testing.T, tlsCfg *tls.Config) string {
	t.Helper()
	mux := http.NewServeMux()
	const base = "/v1/namespaces/ns/virtualmachineinstances/v/"
	mux.HandleFunc("PUT "+base+"pause", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("PUT "+base+"unpause", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "domain is not paused", http.StatusConflict)
	})
	mux.HandleFunc("GET "+base+"guestosinfo", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"hostname":"guest"}`))
	})
	mux.HandleFunc("GET "+base+"console", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "kvirt-console" {
			http.Error(w, "want an upgrade", http.StatusBadRequest)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: kvirt-console\r\nConnection: Upgrade\r\n\r\nhello\n")
		_ = buf.Flush()
		line := make([]byte, 64)
		n, _ := buf.Read(line)
		_, _ = fmt.Fprintf(conn, "echo:%s", line[:n])
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = tlsCfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func newNodeProxy(t *testing.T, clientCert, clientKey string, pki nodeenv.PKI, addr string) *Server {
	t.Helper()
	return newNodeProxyCA(t, clientCert, clientKey, pki.CAFile, addr)
}

func newNodeProxyCA(t *testing.T, clientCert, clientKey, caFile, addr string) *Server {
	t.Helper()
	nodeTLS, err := NewNodeTLS(NodeClientConfig{CertFile: clientCert, KeyFile: clientKey, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1",
		Annotations: map[string]string{virtv1.NodeAPIAddressAnnotation: addr}}}
	return New(Config{Kube: kubefake.NewClientset(node), Kvirt: kvirtfake.NewSimpleClientset(vmiOnNS()), NodeTLS: nodeTLS})
}

func vmiOnNS() *virtv1.VirtualMachineInstance {
	vmi := withAgent(vmiOn("n1", virtv1.Running, false))
	vmi.Namespace = "ns"
	return vmi
}

func call(s *Server, method, sub string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, "/x", nil)
	s.nodeSide(rec, req, target{namespace: "ns", resource: "virtualmachineinstances", name: "v", sub: sub})
	return rec
}

func TestNodeSideForwarding(t *testing.T) {
	pki := nodeenv.NewPKI(t)
	addr := fakeNodeAPI(t, pki)
	s := newNodeProxy(t, pki.ClientCert, pki.ClientKey, pki, addr)
	if rec := call(s, http.MethodPut, "pause"); rec.Code != http.StatusOK {
		t.Errorf("pause: %d %s", rec.Code, rec.Body)
	}
	if rec := call(s, http.MethodPut, "unpause"); rec.Code != http.StatusConflict ||
		!strings.Contains(rec.Body.String(), "VMI v is not paused") {
		t.Errorf("unpause of a running VMI: %d %s", rec.Code, rec.Body)
	}
	if rec := call(s, http.MethodGet, "guestosinfo"); rec.Code != http.StatusOK || rec.Body.String() != `{"hostname":"guest"}` {
		t.Errorf("guestosinfo: %d %s", rec.Code, rec.Body)
	}
	// A client certificate from another CA is refused by the handler's TLS.
	bad := newNodeProxy(t, pki.OtherCACert, pki.OtherCAKey, pki, addr)
	if rec := call(bad, http.MethodPut, "pause"); rec.Code != http.StatusBadGateway {
		t.Errorf("pause with an untrusted client certificate: %d %s", rec.Code, rec.Body)
	}
	noTLS := New(Config{Kvirt: kvirtfake.NewSimpleClientset(vmiOnNS())})
	if rec := call(noTLS, http.MethodPut, "pause"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("pause without node api client: %d %s", rec.Code, rec.Body)
	}
}

// TestNodeSideSelfSignedPairs is the local loop's layout
// (hack/lib/node-api-certs.sh): two self-signed certificates, each the other
// side's CA.
func TestNodeSideSelfSignedPairs(t *testing.T) {
	handler, err := certs.WriteSelfSigned(t.TempDir(), "virt-handler", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := certs.WriteSelfSigned(t.TempDir(), "virt-api-node-client", []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := nodeapi.TLSConfig(handler.CertFile, handler.KeyFile, client.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	s := newNodeProxyCA(t, client.CertFile, client.KeyFile, handler.CertFile, fakeNodeAPIWith(t, tlsCfg))
	if rec := call(s, http.MethodPut, "pause"); rec.Code != http.StatusOK {
		t.Errorf("pause with self-signed pairs: %d %s", rec.Code, rec.Body)
	}
}

func TestNodeSideConsoleWebsocket(t *testing.T) {
	pki := nodeenv.NewPKI(t)
	s := newNodeProxy(t, pki.ClientCert, pki.ClientKey, pki, fakeNodeAPI(t, pki))
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.nodeSide(w, r, target{namespace: "ns", resource: "virtualmachineinstances", name: "v", sub: "console"})
	}))
	t.Cleanup(front.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := websocket.Dialer{Subprotocols: []string{ConsoleSubprotocol}}
	ws, resp, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(front.URL, "http"), nil)
	if err != nil {
		t.Fatalf("dial console: %v", err)
	}
	defer func() { _ = ws.Close() }()
	if resp.Header.Get("Sec-Websocket-Protocol") != ConsoleSubprotocol {
		t.Errorf("subprotocol %q", resp.Header.Get("Sec-Websocket-Protocol"))
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for !strings.Contains(got.String(), "echo:typed") {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read console: %v; got %q", err, got.String())
		}
		got.Write(msg)
	}
	if !strings.HasPrefix(got.String(), "hello\n") {
		t.Errorf("console output %q", got.String())
	}
}
