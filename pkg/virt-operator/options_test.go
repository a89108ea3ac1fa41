package virtoperator

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestOptions(t *testing.T) {
	full := map[string]string{EnvVirtAPIImage: "a", EnvVirtControllerImage: "c", EnvVirtHandlerImage: "h", EnvVirtLauncherImage: "l"}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, full, ""},
		{"missing image", nil, map[string]string{EnvVirtAPIImage: "a"}, EnvVirtHandlerImage},
		{"bad validity", []string{"--cert-validity", "0s"}, full, "--cert-validity"},
		{"bad leader timings", []string{"--leader-elect-renew-deadline", "20s"}, full, "leader election"},
		{"short validities", []string{"--ca-validity", "20s", "--cert-validity", "10s"}, full, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Getenv: func(k string) string { return tc.env[k] }}
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Validate() = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestInstallConfig(t *testing.T) {
	o := &Options{Namespace: "kv", Getenv: func(k string) string {
		return map[string]string{EnvVirtLauncherImage: "l"}[k]
	}}
	cfg := o.Install()
	if cfg.Namespace != "kv" || cfg.Images.Launcher != "l" || cfg.KubeletRootDir != "/var/lib/kubelet" {
		t.Errorf("install config %+v", cfg)
	}
}
