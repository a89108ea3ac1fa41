package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestGroupVersionAndDefaultRoles: on the operator-installed cluster, the
// aggregated group answers its version through the apiserver, virtctl version
// prints client and server versions as upstream's does, and the roles the
// operator binds to every authenticated user let an ordinary user read the
// version and the cluster instancetypes (and nothing more).
func TestGroupVersionAndDefaultRoles(t *testing.T) {
	out, stderr, err := kubectl(t, "", "get", "--raw", "/apis/subresources.kubevirt.io/v1/version")
	if err != nil {
		t.Fatalf("get --raw version: %v: %s", err, stderr)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || v["gitVersion"] == "" || v["platform"] == "" {
		t.Errorf("version %q (%v)", out, err)
	}
	if _, stderr, err := kubectl(t, "", "get", "--raw", "/apis/subresources.kubevirt.io/v1/version", "--as", "e2e-nobody"); err != nil {
		t.Errorf("an authenticated user cannot read the version: %v: %s", err, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "virtualmachineclusterinstancetypes.instancetype.kubevirt.io"}, "yes"},
		{[]string{"list", "virtualmachineinstancetypes.instancetype.kubevirt.io", "-n", "default"}, "no"},
		{[]string{"create", "virtualmachineinstancemigrations.kubevirt.io", "-n", "default"}, "no"},
	} {
		out, _, _ := kubectl(t, "", append(append([]string{"auth", "can-i"}, c.args...), "--as", "e2e-nobody")...)
		if strings.TrimSpace(out) != c.want {
			t.Errorf("can-i %v as an ordinary user: %q, want %s", c.args, out, c.want)
		}
	}
	raw, err := exec.CommandContext(ctx(t), e.virtctl, "--kubeconfig", e.kubeconfig, "version").CombinedOutput()
	got := string(raw)
	if err != nil || !strings.Contains(got, "Client Version: version.Info{GitVersion:") || !strings.Contains(got, "Server Version: version.Info{GitVersion:") {
		t.Errorf("virtctl version: %v:\n%s", err, got)
	}
}
