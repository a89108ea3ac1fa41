package vmi

import (
	"errors"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
)

// TestGuestAddress: masquerade reaches the guest at the second host of
// vmNetworkCIDR (10.0.2.2 by default), bridge at the pod IP; no pod network or
// another binding has no address.
func TestGuestAddress(t *testing.T) {
	vmi := func(cidr string, iface virtv1.Interface, pod bool) *virtv1.VirtualMachineInstance {
		v := &virtv1.VirtualMachineInstance{}
		iface.Name = "default"
		v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{iface}
		if pod {
			v.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{VMNetworkCIDR: cidr}}}
		}
		return v
	}
	masq := virtv1.Interface{Masquerade: &virtv1.InterfaceMasquerade{}}
	bridge := virtv1.Interface{Bridge: &virtv1.InterfaceBridge{}}
	cases := []struct {
		name, podIP, want string
		vmi               *virtv1.VirtualMachineInstance
		noAddr            bool
	}{
		{name: "masquerade default", vmi: vmi("", masq, true), podIP: "10.244.0.7", want: "10.0.2.2"},
		{name: "masquerade vmNetworkCIDR", vmi: vmi("10.11.12.0/24", masq, true), want: "10.11.12.2"},
		{name: "bridge", vmi: vmi("", bridge, true), podIP: "10.244.0.7", want: "10.244.0.7"},
		{name: "bridge ipv6 pod", vmi: vmi("", bridge, true), podIP: "fd00::7", want: "fd00::7"},
		{name: "no pod network", vmi: vmi("", masq, false), noAddr: true},
		{name: "other binding", vmi: vmi("", virtv1.Interface{}, true), noAddr: true},
	}
	for _, tc := range cases {
		got, err := GuestAddress(tc.vmi, tc.podIP)
		switch {
		case tc.noAddr && !errors.Is(err, nodeapi.ErrNoGuestAddress):
			t.Errorf("%s: %v, %v; want ErrNoGuestAddress", tc.name, got, err)
		case !tc.noAddr && (err != nil || got.String() != tc.want):
			t.Errorf("%s: %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := GuestAddress(vmi("", bridge, true), ""); err == nil {
		t.Error("bridge without a pod IP: no error")
	}
}
