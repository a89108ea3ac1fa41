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
