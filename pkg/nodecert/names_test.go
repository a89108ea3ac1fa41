package nodecert

import (
	"strings"
	"testing"
)

func TestServerName(t *testing.T) {
	for _, tc := range []struct {
		node, ns, want, err string
	}{
		{"node-a", "kubevirt", "node-a.virt-handler.kubevirt.svc", ""},
		{"ip-10-0-0-1.ec2.internal", "kv", "ip-10-0-0-1.ec2.internal.virt-handler.kv.svc", ""},
		{"", "kubevirt", "", "required"},
		{"node-a", "", "", "required"},
		{"a:b", "kubevirt", "", "not a DNS name"},
		{strings.Repeat("n", 240), "kubevirt", "", "longer than 253"},
	} {
		got, err := ValidServerName(tc.node, tc.ns)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q/%q: error %v, want %q", tc.node, tc.ns, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || ServerName(tc.node, tc.ns) != tc.want {
			t.Errorf("%q/%q = %q, %v; want %q", tc.node, tc.ns, got, err, tc.want)
		}
	}
}

func TestHandlerUser(t *testing.T) {
	if got := HandlerUser("kubevirt", "kubevirt-handler"); got != "system:serviceaccount:kubevirt:kubevirt-handler" {
		t.Fatal(got)
	}
}

func TestNodeOf(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{ServerName("node-a", "kubevirt"), "node-a", true},
		{ServerName("node-a", "other"), "", false},
		{".virt-handler.kubevirt.svc", "", false},
		{"virt-api.kubevirt.svc", "", false},
		{"a.b.virt-handler.kubevirt.svc", "a.b", true},
	} {
		if got, ok := NodeOf(tc.name, "kubevirt"); got != tc.want || ok != tc.ok {
			t.Errorf("NodeOf(%q) = %q, %v, want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
