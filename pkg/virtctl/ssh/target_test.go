package ssh

import (
	"testing"

	"kvirt.io/kvirt/pkg/virtctl/portforward"
)

func TestParseDestination(t *testing.T) {
	d, err := ParseDestination("root@vm/web/ns", "other")
	if err != nil || d.User != "root" || d.Target != (portforward.Target{Resource: "virtualmachines", Name: "web", Namespace: "ns"}) {
		t.Errorf("user@vm/web/ns: %+v, %v", d, err)
	}
	d, err = ParseDestination("vmi/web", "fedora")
	if err != nil || d.User != "fedora" || d.Target.Resource != "virtualmachineinstances" {
		t.Errorf("vmi/web with -l fedora: %+v, %v", d, err)
	}
	if _, err := ParseDestination("root@web", ""); err == nil {
		t.Error("root@web: no error")
	}
}

func TestParseLocation(t *testing.T) {
	cases := []struct {
		in, path string
		remote   bool
	}{
		{"./local.txt", "./local.txt", false},
		{"/tmp/a:b", "/tmp/a:b", false}, // a colon but no TYPE/NAME before it
		{"root@vm/web:/tmp/x", "/tmp/x", true},
		{"vmi/web/ns:", ".", true},
	}
	for _, tc := range cases {
		got, err := ParseLocation(tc.in, "root")
		if err != nil || got.Path != tc.path || (got.Remote != nil) != tc.remote {
			t.Errorf("ParseLocation(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}
