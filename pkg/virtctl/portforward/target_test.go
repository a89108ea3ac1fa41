package portforward

import (
	"errors"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in   string
		want Target
		bad  bool
	}{
		{in: "vm/web", want: Target{Resource: "virtualmachines", Name: "web"}},
		{in: "vmi/web/team-a", want: Target{Resource: "virtualmachineinstances", Name: "web", Namespace: "team-a"}},
		{in: "VirtualMachineInstance/web", want: Target{Resource: "virtualmachineinstances", Name: "web"}},
		{in: "virtualmachines/web", want: Target{Resource: "virtualmachines", Name: "web"}},
		{in: "web", bad: true},
		{in: "pod/web", bad: true},
		{in: "vm/", bad: true},
		{in: "vm/a/b/c", bad: true},
	}
	for _, tc := range cases {
		got, err := ParseTarget(tc.in)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("ParseTarget(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestParsePorts(t *testing.T) {
	cases := []struct {
		in   string
		want Ports
		err  error
		bad  bool
	}{
		{in: "8080:80", want: Ports{Local: 8080, Remote: 80}},
		{in: "22", want: Ports{Local: 22, Remote: 22}},
		{in: "0:80", want: Ports{Local: 0, Remote: 80}},
		{in: "tcp/2222:22", want: Ports{Local: 2222, Remote: 22}},
		{in: "udp/53", err: ErrUDP, bad: true},
		{in: "sctp/53", bad: true},
		{in: "80:0", bad: true},
		{in: "80:70000", bad: true},
		{in: "x:80", bad: true},
	}
	for _, tc := range cases {
		got, err := ParsePorts(tc.in)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("ParsePorts(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestPath(t *testing.T) {
	got := Path(Target{Resource: "virtualmachines", Name: "web"}, "ns", 22)
	if want := "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/web/portforward/22/tcp"; got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
}
