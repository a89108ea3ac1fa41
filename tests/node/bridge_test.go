package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestHandlerBridgeBinding: a VMI with a bridge interface on the pod network
// gets the pod's address by DHCP from the launcher, reaches a server beyond
// the pod's gateway, and its status reports that address and eth0's former
// MAC, which the guest took over.
func TestHandlerBridgeBinding(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	const podIP, gateway, beyond = "192.168.78.2", "192.168.78.1", "10.99.0.1"
	podNet, outside := nodeenv.NewRoutedNetNS(t, podIP, gateway, beyond)
	port := outside.ServeHTTP(t, "kvirt-bridge-gateway-reached")
	podMAC := podNet.MAC(t, "eth0")
	vmi := kernelBootVMI("bridge")
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "default", Bridge: &virtv1.InterfaceBridge{}}}
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = userData +
		fmt.Sprintf("wget -q -O - http://%s:%d/ && echo\n", beyond, port)
	vmi = c.createScheduled(t, vmi)
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: nodeenv.ShortTempDir(t), KernelBootDir: env.GuestDir, NetNS: &podNet})
	cons := l.Console(t)

	running := c.waitForVMI(t, vmi, 120*time.Second, "Running with the pod address", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.Phase == virtv1.Running && len(v.Status.Interfaces) == 1
	})
	start := time.Now()
	cons.WaitFor(t, 120*time.Second, "KVIRT-GUEST-ADDR eth0 "+podIP+"/24")
	addrAt := time.Now()
	cons.WaitFor(t, 60*time.Second, "kvirt-bridge-gateway-reached")
	t.Logf("FIGURE bridge binding: VMI Running observed -> guest DHCP address on console %s, -> server beyond the gateway reached %s",
		addrAt.Sub(start).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	for _, line := range strings.Split(l.Log(), "\n") {
		if strings.Contains(line, "bridge binding ready") {
			t.Logf("FIGURE bridge binding setup in the launcher (netlink + responder): %s", line)
		}
	}
	got := running.Status.Interfaces[0]
	if got.Name != "default" || got.IPAddress != podIP || got.MAC != podMAC {
		t.Errorf("interface status = %+v, want default with the pod address %s and eth0's former MAC %s", got, podIP, podMAC)
	}
	if now := podNet.MAC(t, "eth0"); now == podMAC {
		t.Errorf("eth0 kept MAC %s that the guest now uses", now)
	}
}
