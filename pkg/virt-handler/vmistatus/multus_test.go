package vmistatus

import (
	"reflect"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestAddInfoSource(t *testing.T) {
	for _, tt := range []struct{ cur, src, want string }{
		{"", infoSourceDomain, "domain"},
		{"domain", infoSourceMultus, "domain, multus-status"},
		{"domain, multus-status", infoSourceAgent, "domain, guest-agent, multus-status"},
		{"domain, guest-agent, multus-status", infoSourceMultus, "domain, guest-agent, multus-status"},
	} {
		if got := addInfoSource(tt.cur, tt.src); got != tt.want {
			t.Errorf("addInfoSource(%q, %q) = %q, want %q", tt.cur, tt.src, got, tt.want)
		}
	}
}

func multusVMI() *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}},
		{Name: "secnet", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{
		{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}, {Name: "secnet", Bridge: &virtv1.InterfaceBridge{}}}
	return vmi
}

func TestStatusInterfacesFromMultus(t *testing.T) {
	netStatus := map[string]multus.NetworkStatus{
		"eth0":           {Name: "kindnet", Interface: "eth0", IPs: []string{"10.244.0.9"}, Default: true},
		"pod0dccfe60da3": {Name: "ns/secnet", Interface: "pod0dccfe60da3", IPs: []string{"10.250.0.3"}, MAC: "0a:00:00:00:00:02"},
	}
	running := &launcherv1.Domain{State: domainStateRunning, Interfaces: []*launcherv1.Interface{
		{Name: "default", Mac: "02:00:00:00:00:01", IpAddresses: []string{"10.244.0.9"}, LinkState: "up"},
		{Name: "secnet", Mac: "0a:00:00:00:00:02", IpAddresses: []string{"10.250.0.3"}, LinkState: "up"},
	}}
	tests := []struct {
		name string
		obs  Observed
		want []virtv1.VirtualMachineInstanceNetworkInterface
	}{
		{name: "before the domain: the secondary interface from Multus alone",
			obs: Observed{NetworkStatus: netStatus},
			want: []virtv1.VirtualMachineInstanceNetworkInterface{{Name: "secnet", MAC: "0a:00:00:00:00:02",
				IPAddress: "10.250.0.3", IPAddresses: []string{"10.250.0.3"}, PodInterfaceName: "pod0dccfe60da3",
				InfoSource: "multus-status"}}},
		{name: "running: both interfaces, domain and multus-status",
			obs: Observed{Domain: running, NetworkStatus: netStatus},
			want: []virtv1.VirtualMachineInstanceNetworkInterface{
				{Name: "default", MAC: "02:00:00:00:00:01", IPAddress: "10.244.0.9", IPAddresses: []string{"10.244.0.9"},
					PodInterfaceName: "eth0", InfoSource: "domain, multus-status", LinkState: "up"},
				{Name: "secnet", MAC: "0a:00:00:00:00:02", IPAddress: "10.250.0.3", IPAddresses: []string{"10.250.0.3"},
					PodInterfaceName: "pod0dccfe60da3", InfoSource: "domain, multus-status", LinkState: "up"}}},
		{name: "without Multus the domain's view is kept as it was",
			obs: Observed{Domain: running},
			want: []virtv1.VirtualMachineInstanceNetworkInterface{
				{Name: "default", MAC: "02:00:00:00:00:01", IPAddress: "10.244.0.9", IPAddresses: []string{"10.244.0.9"},
					InfoSource: "domain", LinkState: "up"},
				{Name: "secnet", MAC: "0a:00:00:00:00:02", IPAddress: "10.250.0.3", IPAddresses: []string{"10.250.0.3"},
					InfoSource: "domain", LinkState: "up"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statusInterfaces(multusVMI(), nil, virtv1.Scheduled, tt.obs)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("statusInterfaces =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// A secondary interface without IPAM address gets the guest agent's, and the
// three sources in upstream's order.
func TestStatusInterfacesMultusAndAgent(t *testing.T) {
	obs := Observed{
		Domain: &launcherv1.Domain{State: domainStateRunning, Interfaces: []*launcherv1.Interface{
			{Name: "secnet", Mac: "0a:00:00:00:00:02", LinkState: "up"}}},
		NetworkStatus: map[string]multus.NetworkStatus{"pod0dccfe60da3": {Interface: "pod0dccfe60da3"}},
		Agent: &launcherv1.GuestAgentResponse{Connected: true, Interfaces: []*launcherv1.GuestInterface{
			{Name: "eth1", Mac: "0a:00:00:00:00:02", IpAddresses: []string{"192.0.2.5"}}}},
	}
	got := statusInterfaces(multusVMI(), nil, virtv1.Running, obs)
	want := []virtv1.VirtualMachineInstanceNetworkInterface{{Name: "secnet", MAC: "0a:00:00:00:00:02", InterfaceName: "eth1",
		IPAddress: "192.0.2.5", IPAddresses: []string{"192.0.2.5"}, PodInterfaceName: "pod0dccfe60da3",
		InfoSource: "domain, guest-agent, multus-status", LinkState: "up"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statusInterfaces =\n%+v\nwant\n%+v", got, want)
	}
}
