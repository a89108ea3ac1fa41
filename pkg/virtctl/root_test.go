package virtctl

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
)

func TestPauseKind(t *testing.T) {
	for arg, want := range map[string]string{"vm": "VM", "virtualmachine": "VM", "vmi": "VMI", "virtualmachineinstance": "VMI"} {
		if got, err := pauseKind(arg); err != nil || got != want {
			t.Errorf("pauseKind(%q) = %q, %v; want %q", arg, got, err, want)
		}
	}
	if _, err := pauseKind("pod"); err == nil || !strings.Contains(err.Error(), "vm or vmi") {
		t.Errorf("pauseKind(pod) error = %v, want one naming vm or vmi", err)
	}
}

func TestCommandsAndArguments(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"start"}, "accepts 1 arg"},
		{[]string{"pause", "testvm"}, "accepts 2 arg"},
		{[]string{"pause", "pod", "testvm"}, "must be vm or vmi"},
		{[]string{"console"}, "accepts 1 arg"},
		{[]string{"migrate-cancel"}, "accepts 1 arg"},
		{[]string{"expand", "--vm", "a", "--file", "b"}, "none of the others can be"},
		{[]string{"expand"}, "VirtualMachine name or file must be provided"},
		{[]string{"expose", "vm", "testvm"}, `required flag(s) "name" not set`},
		{[]string{"expose", "vm", "testvm", "--name", "s", "--type", "ExternalName"}, "type: ExternalName not supported"},
		{[]string{"start", "testvm", "--kubeconfig", "/nonexistent/kubeconfig"}, "kubeconfig"},
		{[]string{"image-upload", "dv", "d", "--size", "1Gi"}, "--image-path is required"},
		{[]string{"image-upload", "vm", "d"}, "invalid resource type"},
	} {
		cmd := NewCommand()
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("virtctl %v: error %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
}

func TestForcedGrace(t *testing.T) {
	cases := []struct {
		name    string
		force   bool
		grace   int64
		set     bool
		want    *int64
		wantErr bool
	}{
		{"plain", false, -1, false, nil, false},
		{"forced at once", true, 0, true, ptr.To[int64](0), false},
		{"forced with time", true, 30, true, ptr.To[int64](30), false},
		{"grace without force", false, 0, true, nil, true},
		{"force without grace", true, -1, false, nil, true},
		{"negative grace", true, -5, true, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forcedGrace(tc.force, tc.grace, tc.set)
			if (err != nil) != tc.wantErr || (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("forcedGrace(%v, %d, %v) = %v, %v; want %v, error %v", tc.force, tc.grace, tc.set, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestProgramName(t *testing.T) {
	for arg0, want := range map[string]string{"/usr/local/bin/kubectl-virt": "kubectl virt", "_out/bin/virtctl": "virtctl", "kubectl-virt": "kubectl virt"} {
		if got := programName(arg0); got != want {
			t.Errorf("programName(%q) = %q, want %q", arg0, got, want)
		}
	}
}
