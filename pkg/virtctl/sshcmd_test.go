package virtctl

import (
	"bytes"
	"strings"
	"testing"

	"kvirt.io/kvirt/pkg/virtctl/portforward"
)

// TestGuestAccessArguments: port-forward, ssh and scp refuse bad arguments
// before contacting a cluster.
func TestGuestAccessArguments(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"port-forward", "vm/web"}, "requires at least 2 arg"},
		{[]string{"port-forward", "web", "80"}, "want TYPE/NAME"},
		{[]string{"port-forward", "vm/web", "udp/53"}, "udp port-forward is not supported"},
		{[]string{"port-forward", "vm/web", "80:0"}, "remote port"},
		{[]string{"port-forward", "--stdio", "vm/web", "22", "80"}, "exactly one port"},
		{[]string{"ssh"}, "accepts 1 arg"},
		{[]string{"ssh", "root@pod/web"}, "unsupported type"},
		{[]string{"scp", "a", "b"}, "exactly one of SOURCE and DESTINATION"},
		{[]string{"scp", "vm/a:x", "vmi/b:y"}, "exactly one of SOURCE and DESTINATION"},
		{[]string{"scp", "-r", "dir", "vm/a:x", "--kubeconfig", "/nonexistent"}, "--recursive is not supported"},
		{[]string{"ssh", "root@vm/web", "--kubeconfig", "/nonexistent/kubeconfig"}, "kubeconfig"},
	} {
		cmd := NewCommand()
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("virtctl %v: %v, want an error with %q", tc.args, err, tc.wantErr)
		}
	}
}

func TestAlias(t *testing.T) {
	for want, tgt := range map[string]portforward.Target{
		"vm/web":       {Resource: "virtualmachines", Name: "web"},
		"vmi/web.ns":   {Resource: "virtualmachineinstances", Name: "web", Namespace: "ns"},
		"vm/db.team-a": {Resource: "virtualmachines", Name: "db", Namespace: "team-a"},
	} {
		if got := alias(tgt); got != want {
			t.Errorf("alias(%+v) = %s, want %s", tgt, got, want)
		}
	}
}
