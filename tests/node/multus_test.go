package node

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// reportNetworkStatus writes the network-status annotation on the VMI's
// launcher pod, as Multus does once it attached the pod's networks.
func (c *cluster) reportNetworkStatus(t *testing.T, vmi *virtv1.VirtualMachineInstance, st []multus.NetworkStatus) {
	t.Helper()
	ctx := context.Background()
	pods, err := c.kube.CoreV1().Pods(vmi.Namespace).List(ctx,
		metav1.ListOptions{LabelSelector: virtv1.CreatedByLabel + "=" + string(vmi.UID)})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("find the launcher pod: %v (%d pods)", err, len(pods.Items))
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{multus.NetworkStatusAnnotation: string(raw)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.kube.CoreV1().Pods(vmi.Namespace).Patch(ctx, pods.Items[0].Name, types.MergePatchType, patch,
		metav1.PatchOptions{}); err != nil {
		t.Fatalf("annotate the launcher pod: %v", err)
	}
}

// TestHandlerMultusSecondaryBridge: a VMI on the pod network (masquerade) and
// a secondary Multus network (bridge). The pod's namespace holds, besides
// eth0, the secondary interface Multus would have made under kvirt's name for
// it (upstream's hashed name) with its IPAM address; virt-handler builds both
// bindings, the guest gets the secondary address on its second NIC by DHCP
// while eth0 keeps the default route (the server beyond the pod gateway is
// reached), the secondary network's peer and the guest reach each other, and
// status.interfaces lists both with Multus as a source.
func TestHandlerMultusSecondaryBridge(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	const podIP, gateway, beyond = "192.168.82.2", "192.168.82.1", "10.97.0.1"
	const secIP, secPeer = "10.250.0.3", "10.250.0.1"
	podNet, outside := nodeenv.NewRoutedNetNS(t, podIP, gateway, beyond)
	secIface := multus.HashedInterfaceName("secnet")
	peer := podNet.AddPeerLink(t, secIface, secIP, secPeer)
	secMAC := podNet.MAC(t, secIface)
	port := outside.ServeHTTP(t, "kvirt-multus-pod-network-reached")
	peerPort := peer.ServeHTTP(t, "kvirt-multus-secondary-reached")

	vmi := kernelBootVMI("multus")
	vmi.Spec.Networks = append(vmi.Spec.Networks, virtv1.Network{Name: "secnet",
		Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}})
	vmi.Spec.Domain.Devices.Interfaces = append(vmi.Spec.Domain.Devices.Interfaces,
		virtv1.Interface{Name: "secnet", Bridge: &virtv1.InterfaceBridge{}})
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = userData +
		fmt.Sprintf("wget -q -O - http://%s:%d/ && echo\n", beyond, port) +
		fmt.Sprintf("wget -q -O - http://%s:%d/ && echo\n", secPeer, peerPort) +
		"ip -4 route show default | sed 's/^/KVIRT-DEFAULT-ROUTE /'\n" + guestHTTPD("kvirt-multus-guest-served", 8080)
	vmi = c.createScheduled(t, vmi)
	l := nonRootLauncher(t, env, c, vmi, &podNet)
	c.reportNetworkStatus(t, vmi, []multus.NetworkStatus{
		{Name: "podnet", Interface: "eth0", IPs: []string{podIP}, Default: true},
		{Name: vmi.Namespace + "/secnet", Interface: secIface, IPs: []string{secIP}, MAC: secMAC}})
	cons := l.Console(t)

	cons.WaitFor(t, 120*time.Second, "KVIRT-GUEST-ADDR eth0 10.0.2.2/24")
	cons.WaitFor(t, 120*time.Second, "KVIRT-GUEST-ADDR eth1 "+secIP+"/24")
	cons.WaitFor(t, 60*time.Second, "kvirt-multus-pod-network-reached")
	cons.WaitFor(t, 60*time.Second, "kvirt-multus-secondary-reached")
	cons.WaitFor(t, 60*time.Second, "KVIRT-DEFAULT-ROUTE default via 10.0.2.1 dev eth0")
	cons.WaitFor(t, 60*time.Second, "KVIRT-HTTPD-UP")
	httpGet(t, peer, "http://"+secIP+":8080/", "kvirt-multus-guest-served")
	logSetupFigure(t, "pod network + secondary bridge", c.handler.Log())

	running := c.waitForVMI(t, vmi, 60*time.Second, "both interfaces with Multus's report", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.Phase == virtv1.Running && len(v.Status.Interfaces) == 2 &&
			strings.Contains(v.Status.Interfaces[1].InfoSource, "multus-status")
	})
	if got := running.Status.Interfaces[1]; got.Name != "secnet" || got.IPAddress != secIP || got.MAC != secMAC ||
		got.PodInterfaceName != secIface {
		t.Errorf("secondary interface status = %+v, want secnet with %s, MAC %s, pod interface %s", got, secIP, secMAC, secIface)
	}
	if got := running.Status.Interfaces[0]; got.Name != "default" || got.IPAddress != podIP {
		t.Errorf("pod network interface status = %+v, want default with %s", got, podIP)
	}
	plans := storedPlan(t, c, vmi)
	if len(plans) != 2 || plans[1].Bridge != "k6t-"+secIface[3:] || plans[1].Tap != "tap"+secIface[3:] {
		t.Fatalf("recorded plans = %+v", plans)
	}
	reapply(t, podNet, vmi, plans)
	httpGet(t, peer, "http://"+secIP+":8080/", "kvirt-multus-guest-served")
}
