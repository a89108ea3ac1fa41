package console

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestDialAuthenticatesAsClientGo: the handshake carries what client-go's
// transport adds for the configuration: a token read from a token file and the
// impersonation headers of --as/--as-group.
func TestDialAuthenticatesAsClientGo(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"kind":"Status","code":403,"message":"recorded"}`))
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &rest.Config{
		Host:            srv.URL,
		BearerTokenFile: tokenFile,
		Impersonate:     rest.ImpersonationConfig{UserName: "alice", Groups: []string{"team-a", "team-b"}},
	}
	if _, err := Dial(cfg, "ns", "vm", 5*time.Second); err == nil {
		t.Fatal("dial succeeded against a refusing server")
	}
	if a := got.Get("Authorization"); a != "Bearer from-file" {
		t.Errorf("Authorization %q, want the token file's bearer token", a)
	}
	if u := got.Get("Impersonate-User"); u != "alice" {
		t.Errorf("Impersonate-User %q, want alice", u)
	}
	if g := got.Values("Impersonate-Group"); len(g) != 2 || g[0] != "team-a" || g[1] != "team-b" {
		t.Errorf("Impersonate-Group %v, want [team-a team-b]", g)
	}
	if p := got.Get("Sec-Websocket-Protocol"); p != Subprotocol {
		t.Errorf("subprotocol %q, want %q", p, Subprotocol)
	}
}

// TestDialRunsExecPlugin: a kubeconfig exec credential plugin's token is used.
func TestDialRunsExecPlugin(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	plugin := filepath.Join(t.TempDir(), "plugin")
	script := "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"from-exec\"}}'\n"
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := &rest.Config{Host: srv.URL, ExecProvider: &clientcmdapi.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1", Command: plugin, InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}}
	if _, err := Dial(cfg, "ns", "vm", 5*time.Second); err == nil {
		t.Fatal("dial succeeded against a refusing server")
	}
	if auth != "Bearer from-exec" {
		t.Errorf("Authorization %q, want the exec plugin's token", auth)
	}
}
