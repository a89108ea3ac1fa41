package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virtctl/console"
	"kvirt.io/kvirt/tests/framework/poll"
)

// secnetNAD is the secondary network of TestMultusBridgeBetweenVMIs: a Linux
// bridge on the node with host-local addresses (the CNI network is named
// kvirt-* so that cluster-down removes the host-local state it leaves).
const secnetNAD = `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: secnet
spec:
  config: '{"cniVersion":"0.3.1","name":"kvirt-e2e-secnet","type":"bridge","bridge":"kvbr-e2e","ipam":{"type":"host-local","subnet":"10.250.0.0/24"}}'
`

// multusTimeout bounds how long both VMIs take to report two interfaces
// with addresses (Multus, CNI, DHCP in a TCG guest).
const multusTimeout = 6 * time.Minute

// requireNADs skips the test when the cluster has no
// NetworkAttachmentDefinition CRD (Multus is not installed).
func requireNADs(t *testing.T) {
	t.Helper()
	if _, err := e.kube.Discovery().ServerResourcesForGroupVersion("k8s.cni.cncf.io/v1"); err != nil {
		t.Skipf("no NetworkAttachmentDefinition CRD (k8s.cni.cncf.io/v1) on the cluster, Multus is not installed: %v", err)
	}
}

// multusVMI is the test guest with the pod network (masquerade) and the
// secondary network secnet (bridge).
func multusVMI(name string) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name}}
	vmi.Spec.TerminationGracePeriodSeconds = ptr.To[int64](5)
	vmi.Spec.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}
	vmi.Spec.Domain.Devices.Disks = []virtv1.Disk{
		{Name: "containerdisk", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}},
		{Name: "cloudinitdisk", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{
		{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}},
		{Name: "secnet", Bridge: &virtv1.InterfaceBridge{}}}
	vmi.Spec.Networks = []virtv1.Network{
		{Name: "default", Pod: &virtv1.PodNetwork{}},
		{Name: "secnet", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}}}
	vmi.Spec.Volumes = []virtv1.Volume{
		{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: e.guestDisk}},
		{Name: "cloudinitdisk", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{
			UserData: "#!/bin/sh\necho 'printed from cloud-init userdata'\n"}}}
	return vmi
}

// twoInterfacesWithIPs: status.interfaces lists the pod network's and
// secnet's interfaces, each with an address, secnet's reported by Multus.
func twoInterfacesWithIPs(v *virtv1.VirtualMachineInstance) error {
	ifs := v.Status.Interfaces
	if v.Status.Phase != virtv1.Running || len(ifs) < 2 {
		return fmt.Errorf("phase %s, interfaces %+v", v.Status.Phase, ifs)
	}
	for _, name := range []string{"default", "secnet"} {
		i := interfaceNamed(ifs, name)
		if i == nil || i.IPAddress == "" {
			return fmt.Errorf("interface %s without an address: %+v", name, ifs)
		}
	}
	if s := interfaceNamed(ifs, "secnet"); !strings.Contains(s.InfoSource, "multus-status") {
		return fmt.Errorf("secnet infoSource %q lacks multus-status", s.InfoSource)
	}
	return nil
}

func interfaceNamed(ifs []virtv1.VirtualMachineInstanceNetworkInterface, name string) *virtv1.VirtualMachineInstanceNetworkInterface {
	for i := range ifs {
		if ifs[i].Name == name {
			return &ifs[i]
		}
	}
	return nil
}

// consoleShell runs cmd in the guest's console shell until it prints want
// (the guest's init leaves a root shell on the serial console). The command
// ends with a marker unique to the attempt and computed by the shell, so
// neither the echoed input nor the console history a new viewer gets first
// matches it; want is looked for only after the echoed command.
func consoleShell(t *testing.T, ns, name, cmd, want string) string {
	t.Helper()
	var out string
	poll.Eventually(t, consoleTimeout, fmt.Sprintf("%q on the console of %s/%s", cmd, ns, name), func() error {
		ws, err := console.Dial(e.config, ns, name, 30*time.Second)
		if err != nil {
			return err
		}
		defer func() { _ = ws.Close() }()
		token := "KVIRT-CMD-" + rand.String(8)
		line := "\n" + cmd + "; echo " + token + "-$((40+2))\n"
		if err := ws.WriteMessage(websocket.BinaryMessage, []byte(line)); err != nil {
			return err
		}
		got, err := console.ReadUntil(ws, token+"-42", time.Now().Add(60*time.Second))
		if i := strings.Index(got, token+"-$(("); i >= 0 {
			got = got[i:]
		}
		out = got
		if err != nil {
			return fmt.Errorf("%w; output %q", err, got)
		}
		if !strings.Contains(got, want) {
			return fmt.Errorf("output %q lacks %q", got, want)
		}
		return nil
	})
	return out
}

// TestMultusBridgeBetweenVMIs: two VMIs on the pod network (masquerade) and
// on the Multus bridge network secnet (bridge binding). Both report two
// interfaces with addresses; from A's console A pings B's secondary address
// and fetches B's web page through the pod network (B's pod IP).
func TestMultusBridgeBetweenVMIs(t *testing.T) {
	requireNADs(t)
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, secnetNAD, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("create the NetworkAttachmentDefinition: %v\n%s%s", err, out, errOut)
	}
	for _, name := range []string{"vmi-a", "vmi-b"} {
		if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx(t), multusVMI(name),
			metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	a := waitVMI(t, ns, "vmi-a", multusTimeout, "with two interfaces with addresses", twoInterfacesWithIPs)
	b := waitVMI(t, ns, "vmi-b", multusTimeout, "with two interfaces with addresses", twoInterfacesWithIPs)
	bSec, aSec := interfaceNamed(b.Status.Interfaces, "secnet").IPAddress, interfaceNamed(a.Status.Interfaces, "secnet").IPAddress
	if !strings.HasPrefix(bSec, "10.250.0.") || !strings.HasPrefix(aSec, "10.250.0.") || aSec == bSec {
		t.Fatalf("secondary addresses %s and %s, want two distinct ones of 10.250.0.0/24", aSec, bSec)
	}
	t.Logf("vmi-a: %+v", a.Status.Interfaces)
	t.Logf("vmi-b: %+v", b.Status.Interfaces)
	consoleUntil(t, ns, "vmi-a", "KVIRT-GUEST-ADDR eth1 "+aSec)
	consoleUntil(t, ns, "vmi-b", "KVIRT-GUEST-ADDR eth1 "+bSec, "KVIRT-GUEST-HTTPD 80")
	consoleShell(t, ns, "vmi-a", "ip -4 route show default", "dev eth0")
	consoleShell(t, ns, "vmi-a", "ping -c 3 -W 5 "+bSec, "3 packets received")
	bPod := interfaceNamed(b.Status.Interfaces, "default").IPAddress
	consoleShell(t, ns, "vmi-a", "wget -q -O - http://"+bPod+"/", guestHTTPPage)
}
