package virtctl

import (
	"bytes"
	"strings"
	"testing"
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
		{[]string{"start", "testvm", "--kubeconfig", "/nonexistent/kubeconfig"}, "kubeconfig"},
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
