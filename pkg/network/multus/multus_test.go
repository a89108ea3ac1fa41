package multus

import (
	"reflect"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func TestNames(t *testing.T) {
	tests := []struct {
		name                  string
		network               virtv1.Network
		podIface, bridge, tap string
	}{
		{name: "pod network", network: virtv1.Network{Name: "default", Pod: &virtv1.PodNetwork{}},
			podIface: "eth0", bridge: "k6t-eth0", tap: "tap0"},
		{name: "default multus network takes eth0",
			network:  virtv1.Network{Name: "blue", Multus: &virtv1.MultusNetwork{NetworkName: "blue", Default: ptr(true)}},
			podIface: "eth0", bridge: "k6t-eth0", tap: "tap0"},
		// sha256("secnet") begins 0dccfe60da3.
		{name: "secondary: pod + sha256 of the VMI network name",
			network:  virtv1.Network{Name: "secnet", Multus: &virtv1.MultusNetwork{NetworkName: "other/nad"}},
			podIface: "pod0dccfe60da3", bridge: "k6t-0dccfe60da3", tap: "tap0dccfe60da3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodInterfaceName(&tt.network)
			if got != tt.podIface || BridgeName(got) != tt.bridge || TapName(got) != tt.tap {
				t.Errorf("names = %s %s %s, want %s %s %s", got, BridgeName(got), TapName(got), tt.podIface, tt.bridge, tt.tap)
			}
			for _, n := range []string{got, BridgeName(got), TapName(got)} {
				if len(n) > 15 {
					t.Errorf("%s is longer than IFNAMSIZ-1", n)
				}
			}
		})
	}
}

// The hash is upstream's: fixed values so a change of scheme is noticed
// (Multus creates the interface under this name; the handler looks for it).
func TestHashedInterfaceNameIsUpstreams(t *testing.T) {
	for net, want := range map[string]string{"secnet": "pod0dccfe60da3", "blue": "pod16477688c0e"} {
		if got := HashedInterfaceName(net); got != want {
			t.Errorf("HashedInterfaceName(%q) = %q, want %q", net, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAnnotations(t *testing.T) {
	vmi := func(nets ...virtv1.Network) *virtv1.VirtualMachineInstance {
		v := &virtv1.VirtualMachineInstance{}
		v.Namespace, v.Spec.Networks = "ns1", nets
		return v
	}
	pod := virtv1.Network{Name: "default", Pod: &virtv1.PodNetwork{}}
	sec := func(name, nad string) virtv1.Network {
		return virtv1.Network{Name: name, Multus: &virtv1.MultusNetwork{NetworkName: nad}}
	}
	tests := []struct {
		name string
		vmi  *virtv1.VirtualMachineInstance
		want map[string]string
	}{
		{name: "pod network only: no annotation", vmi: vmi(pod), want: map[string]string{}},
		{name: "secondary networks in spec order, namespace defaulted, interface named",
			vmi:  vmi(pod, sec("secnet", "secnet"), sec("blue", "other/bluenad")),
			want: map[string]string{NetworksAnnotation: `[{"name":"secnet","namespace":"ns1","interface":"pod0dccfe60da3"},{"name":"bluenad","namespace":"other","interface":"pod16477688c0e"}]`}},
		{name: "default multus network goes to the default-network annotation",
			vmi: vmi(virtv1.Network{Name: "def", Multus: &virtv1.MultusNetwork{NetworkName: "ns2/def", Default: ptr(true)}},
				sec("blue", "bluenad")),
			want: map[string]string{DefaultNetworkAnnotation: "ns2/def",
				NetworksAnnotation: `[{"name":"bluenad","namespace":"ns1","interface":"pod16477688c0e"}]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Annotations(tt.vmi); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Annotations =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestParseNetworkStatus(t *testing.T) {
	ann := map[string]string{NetworkStatusAnnotation: `[{"name":"kindnet","interface":"eth0","ips":["10.244.0.5"],"default":true},` +
		`{"name":"ns1/secnet","interface":"pod16477688c0e","ips":["10.250.0.3"],"mac":"02:00:00:00:00:01"}]`}
	got := ParseNetworkStatus(ann)
	want := map[string]NetworkStatus{
		"eth0":           {Name: "kindnet", Interface: "eth0", IPs: []string{"10.244.0.5"}, Default: true},
		"pod16477688c0e": {Name: "ns1/secnet", Interface: "pod16477688c0e", IPs: []string{"10.250.0.3"}, MAC: "02:00:00:00:00:01"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseNetworkStatus = %v, want %v", got, want)
	}
	if ParseNetworkStatus(map[string]string{NetworkStatusAnnotation: "{"}) != nil {
		t.Error("malformed annotation parsed")
	}
}
