package node

import (
	"fmt"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestHandlerBridgeBinding: virt-handler builds the bridge binding on the pod
// network for a non-root launcher; the guest gets the pod's address by DHCP
// from the launcher, reaches a server beyond the pod's gateway and is reached
// on the pod address, and its status reports that address and eth0's former
// MAC, which the guest took over. Applying the recorded plan again changes
// nothing.
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
		fmt.Sprintf("wget -q -O - http://%s:%d/ && echo\n", beyond, port) + guestHTTPD("kvirt-bridge-guest-served", 8080)
	vmi = c.createScheduled(t, vmi)
	l := nonRootLauncher(t, env, c, vmi, &podNet)
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
	logSetupFigure(t, "bridge binding", c.handler.Log())
	got := running.Status.Interfaces[0]
	if got.Name != "default" || got.IPAddress != podIP || got.MAC != podMAC {
		t.Errorf("interface status = %+v, want default with the pod address %s and eth0's former MAC %s", got, podIP, podMAC)
	}
	now := podNet.MAC(t, "eth0")
	if now == podMAC {
		t.Errorf("eth0 kept MAC %s that the guest now uses", now)
	}
	cons.WaitFor(t, 60*time.Second, "KVIRT-HTTPD-UP")
	httpGet(t, outside, "http://"+podIP+":8080/", "kvirt-bridge-guest-served")
	reapply(t, podNet, vmi, storedPlan(t, c, vmi))
	if again := podNet.MAC(t, "eth0"); again != now {
		t.Errorf("applying again changed eth0's MAC from %s to %s", now, again)
	}
	httpGet(t, outside, "http://"+podIP+":8080/", "kvirt-bridge-guest-served")
}
