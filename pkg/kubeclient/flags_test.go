package kubeclient

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "upstream defaults", args: nil},
		{name: "custom limits", args: []string{"--client-qps=5", "--client-burst=10"}},
		{name: "zero qps", args: []string{"--client-qps=0"}, wantErr: "--client-qps must be positive"},
		{name: "zero burst", args: []string{"--client-burst=0"}, wantErr: "--client-burst must be at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &Flags{}
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			f.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("parse: %v", err)
			}
			err := f.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestDefaultsMatchUpstream(t *testing.T) {
	f := &Flags{}
	f.AddFlags(pflag.NewFlagSet("test", pflag.ContinueOnError))
	if f.QPS != 200 || f.Burst != 400 {
		t.Fatalf("defaults qps=%v burst=%d, upstream uses 200/400", f.QPS, f.Burst)
	}
}

func TestRESTConfigAppliesLimits(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := dir + "/kubeconfig"
	const content = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	if err := writeFile(kubeconfig, content); err != nil {
		t.Fatal(err)
	}
	f := &Flags{Kubeconfig: kubeconfig, QPS: 7, Burst: 9}
	cfg, err := f.RESTConfig()
	if err != nil {
		t.Fatalf("RESTConfig: %v", err)
	}
	if cfg.QPS != 7 || cfg.Burst != 9 || cfg.Host != "https://127.0.0.1:1" {
		t.Fatalf("got host=%s qps=%v burst=%d", cfg.Host, cfg.QPS, cfg.Burst)
	}
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
