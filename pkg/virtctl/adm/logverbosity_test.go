package adm

import (
	"bytes"
	"slices"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/logverbosity"
)

// parse parses args with the command's flags and returns the request they build.
func parse(t *testing.T, args ...string) *Request {
	t.Helper()
	fs := pflag.NewFlagSet("log-verbosity", pflag.ContinueOnError)
	request := bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return request()
}

func TestPatchAndShown(t *testing.T) {
	const prefix = `{"spec":{"configuration":{"developerConfiguration":{"logVerbosity":`
	cases := []struct {
		name  string
		args  []string
		patch string
		shown []string
	}{
		{"no flag prints every component", nil, "", logverbosity.Components},
		{"one level", []string{"--virt-handler=5"}, prefix + `{"virtHandler":5}}}}}`, nil},
		{"a flag without a value prints it", []string{"--virt-api"}, "", []string{logverbosity.VirtAPI}},
		{"all with one override", []string{"--all=3", "--virt-api=1"},
			prefix + `{"virtAPI":1,"virtController":3,"virtHandler":3,"virtLauncher":3,"virtOperator":3}}}}}`, nil},
		{"all without a value prints all", []string{"--all"}, "", logverbosity.Components},
		{"reset clears every component", []string{"--reset"},
			prefix + `{"virtAPI":null,"virtController":null,"virtHandler":null,"virtLauncher":null,"virtOperator":null}}}}}`, nil},
		{"reset then set", []string{"--reset", "--virt-launcher=7"},
			prefix + `{"virtAPI":null,"virtController":null,"virtHandler":null,"virtLauncher":7,"virtOperator":null}}}}}`, nil},
		{"set one, print another", []string{"--virt-handler=2", "--virt-operator"},
			prefix + `{"virtHandler":2}}}}}`, []string{logverbosity.VirtOperator}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := parse(t, tc.args...)
			if err := r.Validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			patch, err := r.Patch()
			if err != nil {
				t.Fatal(err)
			}
			if string(patch) != tc.patch {
				t.Errorf("patch = %s\nwant    %s", patch, tc.patch)
			}
			if got := r.Shown(); !slices.Equal(got, tc.shown) {
				t.Errorf("shown = %v, want %v", got, tc.shown)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, args := range [][]string{{"--virt-api=10"}, {"--all=12"}, {"--virt-handler=-5"}} {
		r := parse(t, args...)
		if err := r.Validate(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestPrint(t *testing.T) {
	kv := &virtv1.KubeVirt{Spec: virtv1.KubeVirtSpec{Configuration: virtv1.KubeVirtConfiguration{
		DeveloperConfiguration: &virtv1.DeveloperConfiguration{LogVerbosity: &virtv1.LogVerbosity{
			VirtHandler: ptr.To[int32](5), NodeVerbosity: map[string]int32{"node01": 8}}}}}}
	cases := []struct {
		name  string
		kv    *virtv1.KubeVirt
		shown []string
		want  string
	}{
		{"set and default levels", kv, []string{logverbosity.VirtAPI, logverbosity.VirtHandler}, "virt-api = 0\nvirt-handler = 5\n"},
		{"no configuration", &virtv1.KubeVirt{}, []string{logverbosity.VirtLauncher}, "virt-launcher = 0\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Print(&out, tc.kv, tc.shown); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("printed %q, want %q", out.String(), tc.want)
			}
		})
	}
}
