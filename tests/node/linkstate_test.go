package node

import (
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestHandlerInterfaceLinkDownAndPlacement: an interface with state down, a
// guest PCI address and an ACPI index boots; the guest sees no carrier on it,
// finds it at that PCI address with that ACPI index, and the VMI's status
// reports linkState down.
func TestHandlerInterfaceLinkDownAndPlacement(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := kernelBootVMI("link-down")
	iface := &vmi.Spec.Domain.Devices.Interfaces[0]
	iface.State, iface.PCIAddress, iface.ACPIIndex = "down", "0000:01:00.0", 5
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = "#!/bin/sh\n" +
		// eth0's device is the virtio device; its parent the PCI function.
		"pci=$(readlink -f /sys/class/net/eth0/device/..)\n" +
		"echo \"KVIRT-PCI ${pci##*/}\"\n" +
		"echo \"KVIRT-ACPI-INDEX $(cat $pci/acpi_index 2>&1)\"\n"
	vmi = c.createScheduled(t, vmi)
	l := c.launcherFor(t, env, vmi, "")
	cons := l.Console(t)
	running := c.waitForVMI(t, vmi, 180*time.Second, "Running with linkState down", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.Phase == virtv1.Running && len(v.Status.Interfaces) == 1 && v.Status.Interfaces[0].LinkState == "down"
	})
	cons.WaitFor(t, 180*time.Second, "KVIRT-LINK eth0 down")
	cons.WaitFor(t, 60*time.Second, "KVIRT-PCI 0000:01:00.0")
	cons.WaitFor(t, 60*time.Second, "KVIRT-ACPI-INDEX 5")
	if got := l.Domain(t).Interfaces; len(got) != 1 || got[0].LinkState != "down" {
		t.Errorf("launcher reports interfaces %v, want one with link state down", got)
	}
	t.Logf("status.interfaces: %+v", running.Status.Interfaces)
}
