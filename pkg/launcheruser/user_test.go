package launcheruser

import (
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func TestForVMI(t *testing.T) {
	pod := []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
	multus := []virtv1.Network{{Name: "default", Multus: &virtv1.MultusNetwork{NetworkName: "n"}}}
	bridge := []virtv1.Interface{{Name: "default", Bridge: &virtv1.InterfaceBridge{}}}
	masq := []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}}
	for _, tc := range []struct {
		name     string
		networks []virtv1.Network
		ifaces   []virtv1.Interface
		want     int64
	}{
		{name: "no network", want: NonRoot},
		{name: "masquerade on the pod network", networks: pod, ifaces: masq, want: NonRoot},
		{name: "bridge on the pod network", networks: pod, ifaces: bridge, want: Root},
		{name: "bridge on a secondary network", networks: multus, ifaces: bridge, want: NonRoot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vmi := &virtv1.VirtualMachineInstance{}
			vmi.Spec.Networks = tc.networks
			vmi.Spec.Domain.Devices.Interfaces = tc.ifaces
			if got := ForVMI(vmi); got != tc.want {
				t.Errorf("ForVMI = %d, want %d", got, tc.want)
			}
		})
	}
}
