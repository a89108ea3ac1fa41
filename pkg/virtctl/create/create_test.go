package create

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fixedNamespace struct {
	ns       string
	explicit bool
}

func (f fixedNamespace) Namespace() (string, bool, error) { return f.ns, f.explicit, nil }

// TestGolden runs each command line and compares its YAML with testdata/NAME.yaml
// (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		ns     fixedNamespace
		args   []string
	}{
		{"vm-instancetype-preference-containerdisk", fixedNamespace{}, []string{"vm", "--name", "my-vm",
			"--instancetype", "u1.small", "--preference", "alpine", "--volume-containerdisk", "src:registry:5000/guest:devel"}},
		{"vm-defaults", fixedNamespace{}, []string{"vm", "--name", "plain"}},
		{"vm-namespaced-kinds-bootorder-cloudinit", fixedNamespace{"team", true}, []string{"vm", "--name", "full",
			"--run-strategy", "Halted", "--termination-grace-period", "30",
			"--instancetype", "virtualmachineinstancetype/small", "--preference", "virtualmachinepreference/virtio",
			"--volume-containerdisk", "src:quay.io/a:1,name:first,bootorder:2",
			"--volume-containerdisk", "src:quay.io/b:1,name:second,bootorder:1",
			"--cloud-init-user-data", "IyEvYmluL3NoCmVjaG8gaGkK"}},
		{"vm-memory", fixedNamespace{"ignored", false}, []string{"vm", "--name", "mem", "--memory", "1Gi",
			"--volume-containerdisk", "src:quay.io/a:1"}},
		{"instancetype-cluster", fixedNamespace{}, []string{"instancetype", "--name", "small", "--cpu", "2", "--memory", "256Mi"}},
		{"instancetype-namespaced", fixedNamespace{}, []string{"instancetype", "--namespaced", "--name", "small", "--cpu", "1",
			"--memory", "1Gi", "--iothreadspolicy", "auto", "--gpu", "name:gpu1,devicename:nvidia.com/GP100"}},
		{"instancetype-namespace-flag", fixedNamespace{"team", true}, []string{"instancetype", "--name", "small", "--cpu", "1", "--memory", "1Gi"}},
		{"preference-cluster", fixedNamespace{}, []string{"preference", "--name", "virtio", "--cpu-topology", "cores",
			"--machine-type", "q35", "--volume-storage-class", "local"}},
		{"preference-namespaced", fixedNamespace{}, []string{"preference", "--namespaced", "--name", "empty"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, err := run(tc.ns, tc.args...)
			if err != nil {
				t.Fatalf("virtctl create %v: %v", tc.args, err)
			}
			path := filepath.Join("testdata", tc.golden+".yaml")
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("golden file (run go test -update): %v", err)
			}
			if out != string(want) {
				t.Errorf("virtctl create %v printed\n%s\nwant (%s)\n%s", tc.args, out, path, want)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"vm", "--volume-datasource", "src:fedora"}, "--volume-datasource is not supported: kvirt has no DataVolume import"},
		{[]string{"vm", "--infer-instancetype"}, "kvirt does not infer instancetypes"},
		{[]string{"vm", "--run-strategy", "Sometimes"}, `invalid RunStrategy "Sometimes"`},
		{[]string{"vm", "--instancetype", "pod/x"}, `invalid kind "pod"`},
		{[]string{"vm", "--memory", "1Gi", "--instancetype", "u1.small"}, "none of the others can be"},
		{[]string{"vm", "--volume-containerdisk", "name:x"}, "src must be specified"},
		{[]string{"vm", "--volume-containerdisk", "src:a,size:1Gi"}, "unknown param(s): size:1Gi"},
		{[]string{"vm", "--volume-containerdisk", "src:a,bootorder:0"}, "bootorder must be greater than 0"},
		{[]string{"vm", "--volume-containerdisk", "src:a,name:d", "--volume-containerdisk", "src:b,name:d"}, "already a volume with name 'd'"},
		{[]string{"vm", "--cloud-init-user-data", "not base64!"}, "not valid base64"},
		{[]string{"instancetype", "--memory", "1Gi"}, `required flag(s) "cpu" not set`},
		{[]string{"instancetype", "--cpu", "0", "--memory", "1Gi"}, "cpu value must be greater than zero"},
		{[]string{"instancetype", "--cpu", "1", "--memory", "lots"}, `"--memory"`},
		{[]string{"instancetype", "--cpu", "1", "--memory", "1Gi", "--iothreadspolicy", "all"}, "auto or shared"},
		{[]string{"instancetype", "--cpu", "1", "--memory", "1Gi", "--gpu", "name:x"}, "deviceName must be specified"},
		{[]string{"preference", "--cpu-topology", "preferBoth"}, "CPU topology must have a value of sockets, cores, threads, spread, any"},
	} {
		_, err := run(fixedNamespace{}, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("virtctl create %v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestRandomNames(t *testing.T) {
	for args, prefix := range map[string]string{"vm": "name: vm-", "instancetype --cpu 1 --memory 1Gi": "name: clusterinstancetype-",
		"preference --namespaced": "name: preference-"} {
		out, err := run(fixedNamespace{}, strings.Fields(args)...)
		if err != nil || !strings.Contains(out, prefix) {
			t.Errorf("virtctl create %s: %v\n%s\nwant a name starting %q", args, err, out, prefix)
		}
	}
}

func run(ns fixedNamespace, args ...string) (string, error) {
	cmd := NewCommand(ns)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}
