package podplan

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func vmiWith(iface virtv1.Interface, pod *virtv1.PodNetwork) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{}
	if pod == nil {
		pod = &virtv1.PodNetwork{}
	}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: pod}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{iface}
	return vmi
}

var (
	podMAC, spare = mac("0a:58:0a:f4:00:07"), mac("02:00:00:00:00:01")
	podAddr       = netip.MustParsePrefix("10.244.0.7/24")
	observed      = Observed{Name: "eth0", MAC: podMAC, MTU: 1450,
		Addrs: []netip.Prefix{netip.MustParsePrefix("fe80::1/64"), podAddr, netip.MustParsePrefix("fd00::7/64")},
		Routes: []Route{
			{Dst: netip.MustParsePrefix("10.244.0.0/24")},
			{Gateway: netip.MustParseAddr("10.244.0.1")},
			{Dst: netip.MustParsePrefix("10.96.0.0/12"), Gateway: netip.MustParseAddr("10.244.0.254")},
		}}
	masq  = virtv1.Interface{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}
	guest = netip.MustParseAddr("10.0.2.2")
	pod7  = netip.MustParseAddr("10.244.0.7")
)

func masqPlan(edit func(*Plan)) *Plan {
	p := &Plan{Interface: "default", Binding: Masquerade, PodInterface: "eth0", Bridge: BridgeName, Tap: TapName,
		MTU: 1450, BridgeAddr: netip.MustParsePrefix("10.0.2.1/24"), GuestMAC: spare.String(),
		Lease: Lease{Addr: netip.MustParsePrefix("10.0.2.2/24"), Router: netip.MustParseAddr("10.0.2.1"),
			ServerID: netip.MustParseAddr("10.0.2.1")},
		NAT: []NATRule{
			{Kind: DNAT, InInterface: "eth0", Match: pod7, To: guest},
			{Kind: Masq, OutInterface: "eth0", Match: guest},
		},
		StatusAddresses: []string{"10.244.0.7"}}
	if edit != nil {
		edit(p)
	}
	return p
}

func TestFor(t *testing.T) {
	ports := masq
	ports.Ports = []virtv1.Port{{Name: "ssh", Port: 22}, {Port: 53, Protocol: "UDP"}, {Port: 80, Protocol: "TCP"}}
	withMAC := masq
	withMAC.MACAddress = "de:ad:00:00:be:ef"
	bridge := virtv1.Interface{Name: "default", Bridge: &virtv1.InterfaceBridge{}}
	bridgeMAC := bridge
	bridgeMAC.MACAddress = "de:ad:00:00:be:ef"
	bridgePlan := func(guestMAC, podMAC string) *Plan {
		return &Plan{Interface: "default", Binding: Bridge, PodInterface: "eth0", Bridge: BridgeName, Tap: TapName,
			MTU: 1450, BridgeAddr: bridgeBindingAddr, GuestMAC: guestMAC, PodMAC: podMAC, MoveAddr: podAddr,
			Lease: Lease{Addr: podAddr, Router: netip.MustParseAddr("10.244.0.1"), ServerID: bridgeBindingAddr.Addr(),
				Routes: []Route{{Dst: netip.MustParsePrefix("10.96.0.0/12"), Gateway: netip.MustParseAddr("10.244.0.254")}}},
			StatusAddresses: []string{"10.244.0.7"}}
	}
	tests := []struct {
		name    string
		vmi     *virtv1.VirtualMachineInstance
		obs     Observed
		want    *Plan
		wantErr bool
	}{
		{name: "masquerade: every port of the pod address to 10.0.2.2, outbound masqueraded",
			vmi: vmiWith(masq, nil), obs: observed, want: masqPlan(nil)},
		{name: "masquerade: only the listed ports, tcp by default, udp when asked",
			vmi: vmiWith(ports, nil), obs: observed, want: masqPlan(func(p *Plan) {
				p.NAT = []NATRule{
					{Kind: DNAT, InInterface: "eth0", Match: pod7, Proto: TCP, Port: 22, To: guest},
					{Kind: DNAT, InInterface: "eth0", Match: pod7, Proto: UDP, Port: 53, To: guest},
					{Kind: DNAT, InInterface: "eth0", Match: pod7, Proto: TCP, Port: 80, To: guest},
					{Kind: Masq, OutInterface: "eth0", Match: guest},
				}
			})},
		{name: "masquerade: vmNetworkCIDR gives gateway .1 and guest .2",
			vmi: vmiWith(masq, &virtv1.PodNetwork{VMNetworkCIDR: "172.30.5.0/28"}), obs: observed,
			want: masqPlan(func(p *Plan) {
				g := netip.MustParseAddr("172.30.5.2")
				p.BridgeAddr = netip.MustParsePrefix("172.30.5.1/28")
				p.Lease = Lease{Addr: netip.MustParsePrefix("172.30.5.2/28"), Router: netip.MustParseAddr("172.30.5.1"),
					ServerID: netip.MustParseAddr("172.30.5.1")}
				p.NAT = []NATRule{{Kind: DNAT, InInterface: "eth0", Match: pod7, To: g}, {Kind: Masq, OutInterface: "eth0", Match: g}}
			})},
		{name: "masquerade: the VMI's MAC is kept", vmi: vmiWith(withMAC, nil), obs: observed,
			want: masqPlan(func(p *Plan) { p.GuestMAC = "de:ad:00:00:be:ef" })},
		{name: "masquerade: guest network overlapping the pod address",
			vmi: vmiWith(masq, &virtv1.PodNetwork{VMNetworkCIDR: "10.244.0.0/16"}), obs: observed, wantErr: true},
		{name: "masquerade: vmNetworkCIDR not a network", vmi: vmiWith(masq, &virtv1.PodNetwork{VMNetworkCIDR: "10.0.2.1"}),
			obs: observed, wantErr: true},
		{name: "masquerade: vmNetworkCIDR too small", vmi: vmiWith(masq, &virtv1.PodNetwork{VMNetworkCIDR: "10.0.2.0/31"}),
			obs: observed, wantErr: true},
		{name: "masquerade: pod without IPv4 address", vmi: vmiWith(masq, nil),
			obs: Observed{Name: "eth0", MAC: podMAC, Addrs: []netip.Prefix{netip.MustParsePrefix("fd00::7/64")}}, wantErr: true},
		{name: "bridge: guest takes the pod MAC and address, pod gets the spare MAC",
			vmi: vmiWith(bridge, nil), obs: observed, want: bridgePlan(podMAC.String(), spare.String())},
		{name: "bridge: the VMI's MAC is kept, pod MAC unchanged",
			vmi: vmiWith(bridgeMAC, nil), obs: observed, want: bridgePlan("de:ad:00:00:be:ef", "")},
		{name: "bridge: pod without IPv4 address or routes", vmi: vmiWith(bridge, nil),
			obs: Observed{Name: "eth0", MAC: podMAC, MTU: 1500},
			want: &Plan{Interface: "default", Binding: Bridge, PodInterface: "eth0", Bridge: BridgeName, Tap: TapName,
				MTU: 1500, BridgeAddr: bridgeBindingAddr, GuestMAC: podMAC.String(), PodMAC: spare.String(),
				Lease: Lease{ServerID: bridgeBindingAddr.Addr()}}},
		{name: "bridge: pod without MAC", vmi: vmiWith(bridge, nil), obs: Observed{Name: "eth0"}, wantErr: true},
		{name: "bad VMI MAC", vmi: vmiWith(virtv1.Interface{Name: "default", Bridge: &virtv1.InterfaceBridge{}, MACAddress: "x"}, nil),
			obs: observed, wantErr: true},
		{name: "no pod network binding", vmi: &virtv1.VirtualMachineInstance{}, obs: observed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := For(tt.vmi, tt.obs, spare)
			var planErr *Error
			if (err != nil) != tt.wantErr || (err != nil && !errors.As(err, &planErr)) {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("For() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestPodInterfaceOf(t *testing.T) {
	vmi := vmiWith(masq, nil)
	if iface, n := PodInterfaceOf(vmi); iface == nil || n == nil || iface.Name != "default" {
		t.Errorf("masquerade interface not found")
	}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Multus: &virtv1.MultusNetwork{NetworkName: "n"}}}
	if iface, _ := PodInterfaceOf(vmi); iface != nil {
		t.Errorf("interface on a secondary network taken for the pod network")
	}
}

func TestNATRuleString(t *testing.T) {
	got := []string{
		NATRule{Kind: DNAT, InInterface: "eth0", Match: pod7, Proto: TCP, Port: 22, To: guest}.String(),
		NATRule{Kind: Masq, OutInterface: "eth0", Match: guest}.String(),
	}
	want := []string{`iifname "eth0" ip daddr 10.244.0.7 tcp dport 22 dnat to 10.0.2.2`,
		`oifname "eth0" ip saddr 10.0.2.2 masquerade`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestProto(t *testing.T) {
	pi := masqPlan(nil).Proto()
	if pi.Name != "default" || pi.Tap != TapName || pi.DhcpDevice != BridgeName || pi.GuestCidr != "10.0.2.2/24" ||
		pi.Router != "10.0.2.1" || pi.ServerIp != "10.0.2.1" || pi.Mac != spare.String() || pi.Mtu != 1450 ||
		pi.Binding != "masquerade" || !reflect.DeepEqual(pi.StatusAddresses, []string{"10.244.0.7"}) {
		t.Errorf("Proto() = %v", pi)
	}
}

// TestPlanSurvivesTheStateFile: the handler stores the plan as JSON and a
// restart applies what it reads back.
func TestPlanSurvivesTheStateFile(t *testing.T) {
	for _, p := range []*Plan{masqPlan(nil), {Interface: "default", Binding: Bridge, BridgeAddr: bridgeBindingAddr,
		MoveAddr: podAddr, PodMAC: spare.String(), Lease: Lease{Addr: podAddr, ServerID: bridgeBindingAddr.Addr(),
			Routes: []Route{{Dst: netip.MustParsePrefix("10.96.0.0/12"), Gateway: netip.MustParseAddr("10.244.0.254")}}}}} {
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Plan
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, p) {
			t.Errorf("round trip of %s =\n%+v\nwant\n%+v", raw, back, p)
		}
	}
}
