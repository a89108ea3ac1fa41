package vnc

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"
)

const prefix = "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/"

// fakeAPI serves the vnc websocket (greeting, then echo; 409 with
// preserveSession) and the screenshot.
func fakeAPI(t *testing.T) *rest.Config {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"vnc", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("preserveSession") == "true" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"kind":"Status","code":409,"message":"a VNC session is already active"}`)
			return
		}
		up := websocket.Upgrader{Subprotocols: []string{Subprotocol}}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.Close() }()
		_ = ws.WriteMessage(websocket.BinaryMessage, []byte("RFB 003.008\n"))
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			_ = ws.WriteMessage(websocket.BinaryMessage, msg)
		}
	})
	mux.HandleFunc("GET "+prefix+"vnc/screenshot", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = io.WriteString(w, "\x89PNG move="+r.URL.Query().Get("moveCursor"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &rest.Config{Host: srv.URL}
}

func TestServeOneRelaysOneViewer(t *testing.T) {
	cfg := fakeAPI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- ServeOne(context.Background(), ln, func() (*websocket.Conn, error) {
			return Dial(cfg, "ns", "vm", false, 5*time.Second)
		})
	}()
	viewer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = viewer.SetDeadline(time.Now().Add(10 * time.Second))
	greeting := make([]byte, 12)
	if _, err := io.ReadFull(viewer, greeting); err != nil || string(greeting) != "RFB 003.008\n" {
		t.Fatalf("greeting %q: %v", greeting, err)
	}
	_, _ = viewer.Write([]byte("hello"))
	echo := make([]byte, 5)
	if _, err := io.ReadFull(viewer, echo); err != nil || string(echo) != "hello" {
		t.Errorf("echo %q: %v", echo, err)
	}
	_ = viewer.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("proxy ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("proxy did not end with its viewer")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("proxy still accepts viewers after its one session")
	}
}

func TestDialPreserveSessionRefused(t *testing.T) {
	_, err := Dial(fakeAPI(t), "ns", "vm", true, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "409") || !strings.Contains(err.Error(), "already active") {
		t.Errorf("preserving dial: %v, want the 409 and its message", err)
	}
}

func TestScreenshot(t *testing.T) {
	img, err := Screenshot(context.Background(), fakeAPI(t), "ns", "vm", true)
	if err != nil || string(img) != "\x89PNG move=true" {
		t.Errorf("screenshot %q: %v", img, err)
	}
	if _, err := Screenshot(context.Background(), fakeAPI(t), "ns", "other", false); err == nil ||
		!strings.Contains(err.Error(), "404") {
		t.Errorf("screenshot of an unknown VMI: %v, want 404", err)
	}
}
