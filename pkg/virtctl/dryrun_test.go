package virtctl

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kubeconfigFor writes a kubeconfig pointing at srv with namespace ns.
func kubeconfigFor(t *testing.T, srv *httptest.Server, ns string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + srv.URL +
		"\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: " + ns +
		"\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDryRun: --dry-run sends dryRun [All] in the options body, as upstream.
func TestDryRun(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		path     string
		wantBody string
		wantOut  string
	}{
		{[]string{"start", "vm1", "--dry-run"}, "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm1/start",
			`{"dryRun":["All"]}`, "Dry Run execution\nVM vm1 was scheduled to start\n"},
		{[]string{"stop", "vm1", "--dry-run", "--as", "alice"}, "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm1/stop",
			`{"dryRun":["All"]}`, "Dry Run execution\nVM vm1 was scheduled to stop\n"},
		{[]string{"start", "vm1"}, "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm1/start", `{}`, "VM vm1 was scheduled to start\n"},
	} {
		var gotPath, gotBody, gotAs string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			gotPath, gotBody, gotAs = r.URL.Path, string(raw), r.Header.Get("Impersonate-User")
			w.WriteHeader(http.StatusAccepted)
		}))
		cmd := NewCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(append(tc.args, "--kubeconfig", kubeconfigFor(t, srv, "ns")))
		err := cmd.Execute()
		srv.Close()
		if err != nil {
			t.Fatalf("virtctl %v: %v", tc.args, err)
		}
		if gotPath != tc.path || strings.TrimSpace(gotBody) != tc.wantBody || out.String() != tc.wantOut {
			t.Errorf("virtctl %v: PUT %s %s, printed %q; want %s %s, %q", tc.args, gotPath, gotBody, out.String(), tc.path, tc.wantBody, tc.wantOut)
		}
		if strings.Contains(strings.Join(tc.args, " "), "--as alice") && gotAs != "alice" {
			t.Errorf("--as alice sent Impersonate-User %q", gotAs)
		}
	}
}
