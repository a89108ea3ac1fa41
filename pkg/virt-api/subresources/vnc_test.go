package subresources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	kubefake "k8s.io/client-go/kubernetes/fake"

	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// fakeDisplayNode answers like virt-handler's VNC routes: the stream sends an
// RFB greeting and echoes, a preserving viewer is refused with 409, the
// screenshot says whether it was asked to move the cursor.
func fakeDisplayNode(t *testing.T, pki nodeenv.PKI) string {
	t.Helper()
	tlsCfg, err := nodeapi.TLSConfig(pki.ServerCert, pki.ServerKey, pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	const base = "/v1/namespaces/ns/virtualmachineinstances/v/"
	mux.HandleFunc("GET "+base+"vnc", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("preserveSession") == "true" {
			http.Error(w, "a VNC session is already active", http.StatusConflict)
			return
		}
		if r.Header.Get("Upgrade") != nodeapi.VNCUpgrade {
			http.Error(w, "want an upgrade", http.StatusBadRequest)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: kvirt-vnc\r\nConnection: Upgrade\r\n\r\nRFB 003.008\n")
		_ = buf.Flush()
		line := make([]byte, 64)
		n, _ := buf.Read(line)
		_, _ = conn.Write(line[:n])
	})
	mux.HandleFunc("GET "+base+"vnc/screenshot", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG moveCursor=" + r.URL.Query().Get("moveCursor")))
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = tlsCfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestNodeSideVNC(t *testing.T) {
	pki := nodeenv.NewPKI(t)
	s := newNodeProxy(t, pki.ClientCert, pki.ClientKey, pki, fakeDisplayNode(t, pki))
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.nodeSide(w, r, target{namespace: "ns", resource: "virtualmachineinstances", name: "v", sub: subVNC})
	}))
	t.Cleanup(front.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(front.URL, "http")
	for _, proto := range []string{VNCSubprotocol, binarySubprotocol} {
		ws, resp, err := (&websocket.Dialer{Subprotocols: []string{proto}}).DialContext(ctx, url, nil)
		if err != nil {
			t.Fatalf("dial vnc with %s: %v", proto, err)
		}
		if got := resp.Header.Get("Sec-Websocket-Protocol"); got != proto {
			t.Errorf("subprotocol %q, want %q", got, proto)
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "RFB 003.008\n" {
			t.Fatalf("greeting %q: %v", msg, err)
		}
		_ = ws.WriteMessage(websocket.BinaryMessage, []byte("RFB 003.008\n"))
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "RFB 003.008\n" {
			t.Errorf("relayed %q: %v", msg, err)
		}
		_ = ws.Close()
	}
	_, resp, err := (&websocket.Dialer{Subprotocols: []string{VNCSubprotocol}}).DialContext(ctx, url+"?preserveSession=true", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusConflict {
		t.Errorf("preserving viewer while a session is active: %v %v, want 409", err, resp)
	}
}

func TestNodeSideScreenshot(t *testing.T) {
	pki := nodeenv.NewPKI(t)
	s := newNodeProxy(t, pki.ClientCert, pki.ClientKey, pki, fakeDisplayNode(t, pki))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/x?moveCursor=true", nil)
	s.nodeSide(rec, req, target{namespace: "ns", resource: "virtualmachineinstances", name: "v", sub: subScreenshot})
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" ||
		rec.Body.String() != "\x89PNG moveCursor=true" {
		t.Errorf("screenshot: %d %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// TestVNCRoutesRegistered: vnc and vnc/screenshot are guarded routes listed
// in discovery with upstream's names.
func TestVNCRoutesRegistered(t *testing.T) {
	mux := http.NewServeMux()
	New(Config{Kube: kubefake.NewClientset(), Kvirt: kvirtfake.NewSimpleClientset()}).Register(mux)
	for _, sub := range []string{"vnc", "vnc/screenshot"} {
		if rec := serve(mux, http.MethodGet, gvPath+"/namespaces/ns/virtualmachineinstances/v/"+sub, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without the front proxy: %d, want 401", sub, rec.Code)
		}
	}
	body := serve(mux, http.MethodGet, gvPath, nil).Body.String()
	for _, name := range []string{`"virtualmachineinstances/vnc"`, `"virtualmachineinstances/vnc/screenshot"`} {
		if !strings.Contains(body, name) {
			t.Errorf("discovery lacks %s: %s", name, body)
		}
	}
	for _, doc := range []string{"/openapi/v2", "/openapi/v3" + gvPath} {
		body := serve(mux, http.MethodGet, doc, nil).Body.String()
		for _, want := range []string{`"preserveSession"`, `"moveCursor"`, `"image/png"`, "virtualmachineinstances/{name}/vnc/screenshot"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", doc, want)
			}
		}
	}
}
