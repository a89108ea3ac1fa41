package podnet

import (
	"net"
	"reflect"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func cidr(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip.To4()
	return n
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func TestPlan(t *testing.T) {
	podMAC, spare := mac("0a:58:0a:f4:00:07"), mac("02:00:00:00:00:01")
	obs := Observed{Name: "eth0", MAC: podMAC, MTU: 1450,
		Addrs: []*net.IPNet{cidr("fe80::1/64"), cidr("10.244.0.7/24")},
		Routes: []Route{
			{Dst: cidr("10.244.0.0/24")},
			{Dst: nil, Gateway: net.ParseIP("10.244.0.1")},
			{Dst: cidr("10.96.0.0/12"), Gateway: net.ParseIP("10.244.0.254")},
			{Dst: cidr("fd00::/64"), Gateway: net.ParseIP("10.244.0.254")},
		}}
	base := Desired{Interface: "default", PodInterface: "eth0", Bridge: BridgeName, Tap: TapName,
		BridgeAddr: bridgeAddr, MTU: 1450, GuestAddr: cidr("10.244.0.7/24"), Gateway: net.ParseIP("10.244.0.1").To4(),
		Routes: []Route{{Dst: cidr("10.96.0.0/12"), Gateway: net.ParseIP("10.244.0.254").To4()}}}
	withMAC := func(d Desired, guest, pod net.HardwareAddr) *Desired { d.GuestMAC, d.PodMAC = guest, pod; return &d }
	tests := []struct {
		name    string
		iface   virtv1.Interface
		obs     Observed
		want    *Desired
		wantErr bool
	}{
		{name: "guest takes the pod MAC, pod gets a spare", iface: virtv1.Interface{Name: "default"},
			obs: obs, want: withMAC(base, podMAC, spare)},
		{name: "VMI MAC kept, pod MAC unchanged", iface: virtv1.Interface{Name: "default", MACAddress: "de:ad:00:00:be:ef"},
			obs: obs, want: withMAC(base, mac("de:ad:00:00:be:ef"), nil)},
		{name: "bad VMI MAC", iface: virtv1.Interface{Name: "default", MACAddress: "nope"}, obs: obs, wantErr: true},
		{name: "pod without IPv4 address or routes", iface: virtv1.Interface{Name: "default"},
			obs: Observed{Name: "eth0", MAC: podMAC, MTU: 1500},
			want: &Desired{Interface: "default", PodInterface: "eth0", Bridge: BridgeName, Tap: TapName,
				BridgeAddr: bridgeAddr, MTU: 1500, GuestMAC: podMAC, PodMAC: spare}},
		{name: "pod without MAC", iface: virtv1.Interface{Name: "default"}, obs: Observed{Name: "eth0"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Plan(&tt.iface, tt.obs, spare)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Plan() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestBridgeInterface(t *testing.T) {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}}
	if BridgeInterface(vmi) != nil {
		t.Errorf("masquerade interface taken for a bridge")
	}
	vmi.Spec.Domain.Devices.Interfaces[0].Masquerade = nil
	vmi.Spec.Domain.Devices.Interfaces[0].Bridge = &virtv1.InterfaceBridge{}
	if got := BridgeInterface(vmi); got == nil || got.Name != "default" {
		t.Errorf("BridgeInterface() = %v, want default", got)
	}
	vmi.Spec.Networks = nil
	if BridgeInterface(vmi) != nil {
		t.Errorf("bridge interface without a pod network taken")
	}
}

func TestPlanDefaultRouteAsZeroPrefixAndLease(t *testing.T) {
	obs := Observed{Name: "eth0", MAC: mac("0a:58:0a:f4:00:07"), MTU: 1500,
		Addrs:  []*net.IPNet{cidr("192.168.78.2/24")},
		Routes: []Route{{Dst: cidr("0.0.0.0/0"), Gateway: net.ParseIP("192.168.78.1")}}}
	d, err := Plan(&virtv1.Interface{Name: "default"}, obs, mac("02:00:00:00:00:01"))
	if err != nil {
		t.Fatal(err)
	}
	dns := []net.IP{net.ParseIP("10.96.0.10")}
	want := Lease{MAC: obs.MAC, IP: net.ParseIP("192.168.78.2").To4(), Mask: net.CIDRMask(24, 32),
		Router: net.ParseIP("192.168.78.1").To4(), MTU: 1500, ServerID: bridgeAddr.IP, DNS: dns, Seconds: defaultLeaseSeconds}
	if got := d.Lease(dns); !reflect.DeepEqual(got, want) {
		t.Errorf("Lease() =\n%+v\nwant\n%+v", got, want)
	}
}
