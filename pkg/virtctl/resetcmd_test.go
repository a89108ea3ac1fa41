package virtctl

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingServer answers every request 202 and records method, path and body.
func recordingServer(t *testing.T) (kubeconfig string, requests func() []string) {
	t.Helper()
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Method, r.URL.Path, body)))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: ns1}}]
current-context: x
`, srv.URL)
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestResetAndPausedStartRequests(t *testing.T) {
	const base = "/apis/subresources.kubevirt.io/v1/namespaces/ns1/"
	cases := []struct {
		args     []string
		request  string
		printout string
	}{
		{[]string{"reset", "myvmi"}, "PUT " + base + "virtualmachineinstances/myvmi/reset", "VMI myvmi was scheduled to reset"},
		{[]string{"start", "--paused", "myvm"}, "PUT " + base + `virtualmachines/myvm/start {"paused":true}`, "VM myvm was scheduled to start"},
		{[]string{"start", "myvm"}, "PUT " + base + "virtualmachines/myvm/start {}", "VM myvm was scheduled to start"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			kubeconfig, requests := recordingServer(t)
			cmd := NewCommand()
			out := &bytes.Buffer{}
			cmd.SetOut(out)
			cmd.SetArgs(append(tc.args, "--kubeconfig", kubeconfig))
			if err := cmd.Execute(); err != nil {
				t.Fatalf("virtctl %v: %v", tc.args, err)
			}
			if got := requests(); len(got) != 1 || got[0] != tc.request {
				t.Errorf("requests %q, want [%q]", got, tc.request)
			}
			if strings.TrimSpace(out.String()) != tc.printout {
				t.Errorf("printed %q, want %q", out.String(), tc.printout)
			}
		})
	}
}
