package virtctl

import (
	"bytes"
	"strings"
	"testing"
)

func TestVNCCommandArguments(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"vnc"}, "accepts 1 arg"},
		{[]string{"vnc", "screenshot", "testvm"}, `"file" not set`},
		{[]string{"vnc", "screenshot"}, "accepts 1 arg"},
		{[]string{"vnc", "testvm", "--proxy-only", "--kubeconfig", "/nonexistent/kubeconfig"}, "kubeconfig"},
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
