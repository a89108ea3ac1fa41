package node

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/launcheruser"
	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/network/podsetup"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// guestHTTPD starts busybox httpd in the guest on each port, serving body.
func guestHTTPD(body string, ports ...int) string {
	s := "mkdir -p /www && echo " + body + " > /www/index.html\n"
	for _, p := range ports {
		s += fmt.Sprintf("httpd -p %d -h /www\n", p)
	}
	return s + "echo KVIRT-HTTPD-UP\n"
}

// nonRootLauncher starts the VMI's launcher as UID 107 with no capability,
// in podNet, as a non-root launcher pod runs.
func nonRootLauncher(t *testing.T, env *nodeenv.Env, c *cluster, vmi *virtv1.VirtualMachineInstance,
	podNet *nodeenv.NetNS) *nodeenv.Launcher {
	t.Helper()
	uid := uint32(launcheruser.NonRoot)
	disks := nodeenv.ShortTempDir(t)
	if err := os.Chmod(disks, 0o755); err != nil {
		t.Fatal(err)
	}
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPodAs(t, vmi, int64(uid)),
		VMIUID: string(vmi.UID), ContainerDiskDir: disks, RunAsUID: uid, NetNS: podNet,
		KernelBootDir: readableCopy(t, env.GuestDir, "vmlinuz", "initrd.img")})
	if ids := procIDs(t, l.Cmd.Process.Pid); ids != (processIDs{uid: "107", gid: "107"}) {
		t.Fatalf("virt-launcher runs with %+v, want uid and gid 107 and no capabilities", ids)
	}
	return l
}

// httpGet fetches url from inside ns until it answers with want.
func httpGet(t *testing.T, ns nodeenv.NetNS, url, want string) {
	t.Helper()
	nodeenv.WaitFor(t, 60*time.Second, "GET "+url+" from "+ns.Name, func() (bool, string) {
		out, err := ns.Exec("curl", "-sS", "-m", "5", url)
		return err == nil && strings.Contains(out, want), fmt.Sprint(out, err)
	})
}

// refused checks that a connection from ns to url fails.
func refused(t *testing.T, ns nodeenv.NetNS, url string) {
	t.Helper()
	if out, err := ns.Exec("curl", "-sS", "-m", "5", url); err == nil {
		t.Errorf("GET %s from %s answered %q, want no connection", url, ns.Name, out)
	}
}

// storedPlan is the pod network plans virt-handler recorded for the VMI.
func storedPlan(t *testing.T, c *cluster, vmi *virtv1.VirtualMachineInstance) []*podplan.Plan {
	t.Helper()
	store, err := statestore.New(filepath.Join(c.stateDir, "vmis"))
	if err != nil {
		t.Fatal(err)
	}
	rec, found, err := store.Get(string(vmi.UID))
	if err != nil || !found || len(rec.Plans()) == 0 {
		t.Fatalf("no pod network plan recorded for the VMI: found %v, %v, %+v", found, err, rec)
	}
	return rec.Plans()
}

// reapply applies the recorded plan again, as a virt-handler restarted in the
// middle of the setup would.
func reapply(t *testing.T, podNet nodeenv.NetNS, vmi *virtv1.VirtualMachineInstance, plans []*podplan.Plan) {
	t.Helper()
	owner := podsetup.Owner{UID: uint32(launcheruser.NonRoot), GID: uint32(launcheruser.NonRoot)}
	again, err := podsetup.Ensure(podNet.Path(), vmi, plans, owner, func([]*podplan.Plan) error {
		t.Error("a recorded plan was planned again")
		return nil
	})
	if err != nil || len(again) != len(plans) {
		t.Fatalf("apply the recorded plans again: %v (%d plans, want %d)", err, len(again), len(plans))
	}
	for i := range again {
		if again[i] != plans[i] {
			t.Errorf("plan %d was not the recorded one", i)
		}
	}
}

func logSetupFigure(t *testing.T, what, handlerLog string) {
	for _, line := range strings.Split(handlerLog, "\n") {
		if strings.Contains(line, "pod network binding built") {
			t.Logf("FIGURE %s setup by virt-handler (netns + netlink + nftables): %s", what, line)
		}
	}
}

// TestHandlerMasquerade: virt-handler builds the masquerade binding in the pod's
// network namespace for a non-root launcher: the guest gets 10.0.2.2 by DHCP,
// reaches a server beyond the pod's gateway (SNAT), serves on the pod address
// the ports its interface lists and nothing else (DNAT), and applying the
// recorded plan again changes nothing.
func TestHandlerMasquerade(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	const podIP, gateway, beyond = "192.168.80.2", "192.168.80.1", "10.98.0.1"
	podNet, outside := nodeenv.NewRoutedNetNS(t, podIP, gateway, beyond)
	port := outside.ServeHTTP(t, "kvirt-masquerade-outbound")
	vmi := kernelBootVMI("masquerade")
	vmi.Spec.Domain.Devices.Interfaces[0].Ports = []virtv1.Port{{Name: "http", Port: 8080}}
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = userData +
		fmt.Sprintf("wget -q -O - http://%s:%d/ && echo\n", beyond, port) + guestHTTPD("kvirt-guest-served", 8080, 8081)
	vmi = c.createScheduled(t, vmi)
	l := nonRootLauncher(t, env, c, vmi, &podNet)
	cons := l.Console(t)

	running := c.waitForVMI(t, vmi, 120*time.Second, "Running with the pod address", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.Phase == virtv1.Running && len(v.Status.Interfaces) == 1
	})
	start := time.Now()
	cons.WaitFor(t, 120*time.Second, "KVIRT-GUEST-ADDR eth0 10.0.2.2/24")
	addrAt := time.Now()
	cons.WaitFor(t, 60*time.Second, "kvirt-masquerade-outbound")
	t.Logf("FIGURE masquerade: VMI Running observed -> guest DHCP address %s, -> server beyond the gateway reached %s",
		addrAt.Sub(start).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	logSetupFigure(t, "masquerade", c.handler.Log())
	if got := running.Status.Interfaces[0]; got.Name != "default" || got.IPAddress != podIP {
		t.Errorf("interface status = %+v, want default with the pod address %s", got, podIP)
	}
	cons.WaitFor(t, 60*time.Second, "KVIRT-HTTPD-UP")
	url := "http://" + podIP + ":8080/"
	httpGet(t, outside, url, "kvirt-guest-served")
	refused(t, outside, "http://"+podIP+":8081/")

	rules, err := podsetup.CountNATRules(podNet.Path())
	if err != nil || rules != 2 {
		t.Fatalf("NAT rules = %d, %v; want one DNAT for port 8080 and one masquerade", rules, err)
	}
	reapply(t, podNet, vmi, storedPlan(t, c, vmi))
	if again, err := podsetup.CountNATRules(podNet.Path()); err != nil || again != rules {
		t.Errorf("after applying again: NAT rules = %d, %v; want %d", again, err, rules)
	}
	httpGet(t, outside, url, "kvirt-guest-served")
}
