package virtapi

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestHandlerFlags(t *testing.T) {
	base := []string{"--kubeconfig=/dev/null", "--tls-cert-file=c", "--tls-private-key-file=k", "--install-namespace=kubevirt"}
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no node api client", nil, ""},
		{"full node api client with server name", []string{"--handler-client-cert=a", "--handler-client-key=b",
			"--handler-ca=c", "--handler-server-name=virt-handler.kubevirt.svc"}, ""},
		{"server name without client", []string{"--handler-server-name=virt-handler.kubevirt.svc"}, "--handler-server-name needs"},
		{"per-node names", []string{"--handler-client-cert=a", "--handler-client-key=b",
			"--handler-ca=c", "--handler-namespace=kubevirt"}, ""},
		{"per-node names and one name", []string{"--handler-client-cert=a", "--handler-client-key=b",
			"--handler-ca=c", "--handler-namespace=kubevirt", "--handler-server-name=x"}, "--handler-namespace needs"},
		{"client without ca", []string{"--handler-client-cert=a", "--handler-client-key=b"}, "--handler-client-cert needs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var o Options
			fs := pflag.NewFlagSet("virt-api", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(append(append([]string{}, base...), tc.args...)); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestInstallNamespaceFromEnvOrFlag(t *testing.T) {
	base := []string{"--kubeconfig=/dev/null", "--tls-cert-file=c", "--tls-private-key-file=k"}
	parse := func(t *testing.T, args ...string) (Options, error) {
		t.Helper()
		var o Options
		fs := pflag.NewFlagSet("virt-api", pflag.ContinueOnError)
		o.AddFlags(fs)
		if err := fs.Parse(append(append([]string{}, base...), args...)); err != nil {
			t.Fatal(err)
		}
		return o, o.Validate()
	}
	t.Setenv("POD_NAMESPACE", "")
	if _, err := parse(t); err == nil || !strings.Contains(err.Error(), "--install-namespace") {
		t.Fatalf("no install namespace accepted: %v", err)
	}
	t.Setenv("POD_NAMESPACE", "kvirt-system")
	if o, err := parse(t); err != nil || o.InstallNamespace != "kvirt-system" {
		t.Fatalf("from $POD_NAMESPACE: %q, %v", o.InstallNamespace, err)
	}
	if o, err := parse(t, "--install-namespace=kubevirt"); err != nil || o.InstallNamespace != "kubevirt" {
		t.Fatalf("flag over env: %q, %v", o.InstallNamespace, err)
	}
}
