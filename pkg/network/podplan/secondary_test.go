package podplan

import (
	"net/netip"
	"reflect"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

// multusVMI: the pod network (masquerade) and a secondary network "secnet"
// (bridge), and a default-multus variant.
func multusVMI(defaultMultus bool) *virtv1.VirtualMachineInstance {
	vmi := vmiWith(masq, nil)
	if defaultMultus {
		yes := true
		vmi.Spec.Networks[0] = virtv1.Network{Name: "default",
			Multus: &virtv1.MultusNetwork{NetworkName: "def", Default: &yes}}
	}
	vmi.Spec.Networks = append(vmi.Spec.Networks, virtv1.Network{Name: "secnet",
		Multus: &virtv1.MultusNetwork{NetworkName: "ns/secnet"}})
	vmi.Spec.Domain.Devices.Interfaces = append(vmi.Spec.Domain.Devices.Interfaces,
		virtv1.Interface{Name: "secnet", Bridge: &virtv1.InterfaceBridge{}})
	return vmi
}

func TestBoundInterfaces(t *testing.T) {
	for _, def := range []bool{false, true} {
		got := BoundInterfaces(multusVMI(def))
		if len(got) != 2 || got[0].PodInterface != "eth0" || got[0].Secondary() ||
			got[1].PodInterface != "pod0dccfe60da3" || !got[1].Secondary() {
			t.Errorf("default multus %v: BoundInterfaces = %+v", def, got)
		}
		if iface, _ := PodInterfaceOf(multusVMI(def)); iface == nil || iface.Name != "default" {
			t.Errorf("default multus %v: primary interface = %v", def, iface)
		}
	}
}

func TestForSecondary(t *testing.T) {
	secAddr := netip.MustParsePrefix("10.250.0.3/24")
	secObs := Observed{Name: "pod0dccfe60da3", MAC: podMAC, MTU: 1500, Addrs: []netip.Prefix{secAddr},
		Routes: []Route{{Dst: netip.MustParsePrefix("10.250.0.0/24")}}}
	want := &Plan{Interface: "secnet", Binding: Bridge, PodInterface: "pod0dccfe60da3", Bridge: "k6t-0dccfe60da3",
		Tap: "tap0dccfe60da3", MTU: 1500, BridgeAddr: bridgeBindingAddr, GuestMAC: podMAC.String(), PodMAC: spare.String(),
		MoveAddr: secAddr, Lease: Lease{Addr: secAddr, ServerID: bridgeBindingAddr.Addr()},
		StatusAddresses: []string{"10.250.0.3"}}
	withRoutes := secObs
	withRoutes.Routes = append(withRoutes.Routes, Route{Gateway: netip.MustParseAddr("10.250.0.1")},
		Route{Dst: netip.MustParsePrefix("10.251.0.0/16"), Gateway: netip.MustParseAddr("10.250.0.1")})
	wantRoutes := *want
	wantRoutes.Lease.Routes = []Route{{Dst: netip.MustParsePrefix("10.251.0.0/16"), Gateway: netip.MustParseAddr("10.250.0.1")}}
	noIPAM := Observed{Name: "pod0dccfe60da3", MAC: podMAC, MTU: 1500}
	wantNoIPAM := &Plan{Interface: "secnet", Binding: Bridge, PodInterface: "pod0dccfe60da3", Bridge: "k6t-0dccfe60da3",
		Tap: "tap0dccfe60da3", MTU: 1500, BridgeAddr: bridgeBindingAddr, GuestMAC: podMAC.String(), PodMAC: spare.String(),
		Lease: Lease{ServerID: bridgeBindingAddr.Addr()}}
	tests := []struct {
		name string
		obs  Observed
		want *Plan
	}{
		{name: "secondary bridge: the IPAM address moves to the guest, no router", obs: secObs, want: want},
		{name: "secondary bridge: IPAM routes offered, its default route is not", obs: withRoutes, want: &wantRoutes},
		{name: "secondary bridge without IPAM: a plain L2 port, no lease address", obs: noIPAM, want: wantNoIPAM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := BoundInterfaces(multusVMI(false))[1]
			got, err := ForInterface(b, tt.obs, spare)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ForInterface() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// The default multus network plays the pod network's role: masquerade on
// eth0 behind k6t-eth0 and tap0, exactly as on the pod network.
func TestForDefaultMultusIsThePodNetwork(t *testing.T) {
	got, err := For(multusVMI(true), observed, spare)
	if err != nil {
		t.Fatal(err)
	}
	if want := masqPlan(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("For() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMasqueradeRefusedOnSecondary(t *testing.T) {
	vmi := multusVMI(false)
	vmi.Spec.Domain.Devices.Interfaces[1] = virtv1.Interface{Name: "secnet", Masquerade: &virtv1.InterfaceMasquerade{}}
	if _, err := ForInterface(BoundInterfaces(vmi)[1], observed, spare); err == nil {
		t.Error("masquerade planned on a secondary network")
	}
}
