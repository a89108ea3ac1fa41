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
	}{
		{name: "no network"},
		{name: "masquerade on the pod network", networks: pod, ifaces: masq},
		{name: "bridge on the pod network (virt-handler builds it)", networks: pod, ifaces: bridge},
		{name: "bridge on a secondary network", networks: multus, ifaces: bridge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vmi := &virtv1.VirtualMachineInstance{}
			vmi.Spec.Networks = tc.networks
			vmi.Spec.Domain.Devices.Interfaces = tc.ifaces
			if got := ForVMI(vmi); got != NonRoot {
				t.Errorf("ForVMI = %d, want %d", got, NonRoot)
			}
		})
	}
}
