package node

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// logTime is when a component first logged msg (zap JSON "ts" field).
func logTime(log, msg string) time.Time {
	for _, line := range strings.Split(log, "\n") {
		var entry struct {
			TS  float64 `json:"ts"`
			Msg string  `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == msg {
			sec, frac := math.Modf(entry.TS)
			return time.Unix(int64(sec), int64(frac*1e9))
		}
	}
	return time.Time{}
}

func (c *cluster) launcherFor(t *testing.T, env *nodeenv.Env, vmi *virtv1.VirtualMachineInstance,
	containerDiskDir string) *nodeenv.Launcher {
	t.Helper()
	if containerDiskDir == "" {
		containerDiskDir = nodeenv.ShortTempDir(t)
	}
	return env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: containerDiskDir, KernelBootDir: env.GuestDir})
}

// TestHandlerKernelBootLifecycle: a kernelBoot VMI reaches Running with its
// console, cloud-init and masquerade address; pause/unpause shows in the
// domain and the Paused condition; a handler restart keeps the same QEMU; a
// deletion shuts the guest down within its grace period and ends Succeeded.
func TestHandlerKernelBootLifecycle(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	c.startVirtAPI(t)
	// The launcher pod's network: a namespace with its own address and a web
	// server that exists only there; the guest reaches it at its masquerade
	// gateway (the in-pod bridge virt-handler built).
	podNet := nodeenv.NewNetNS(t, "192.168.77.2")
	port := podNet.ServeHTTP(t, "kvirt-pod-network-reached")
	vmi := kernelBootVMI("kernel-boot")
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = userData +
		fmt.Sprintf("wget -q -O - http://10.0.2.1:%d/ && echo\n", port)
	vmi = c.createScheduled(t, vmi)
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: nodeenv.ShortTempDir(t), KernelBootDir: env.GuestDir, NetNS: &podNet})
	cons := l.Console(t)

	running := c.waitForVMI(t, vmi, 120*time.Second, "Running and Ready", func(v *virtv1.VirtualMachineInstance) bool {
		r := vmiconditions.Get(v, virtv1.VirtualMachineInstanceReady)
		return v.Status.Phase == virtv1.Running && r != nil && r.Status == "True"
	})
	runningAt := time.Now()
	booted := cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 60*time.Second, cloudInitOutput)
	cons.WaitFor(t, 60*time.Second, "KVIRT-GUEST-ADDR eth0 10.0.2.2/24")
	cons.WaitFor(t, 60*time.Second, "kvirt-pod-network-reached")
	if synced := logTime(c.handler.Log(), "syncing vmi to launcher"); !synced.IsZero() {
		qemuStarted := time.Unix(0, l.Domain(t).StartedUnixNano)
		t.Logf("FIGURE kernelBoot TCG: handler first sync -> QEMU started %s, -> VMI Running observed %s, "+
			"-> boot marker on console %s", qemuStarted.Sub(synced).Round(time.Millisecond),
			runningAt.Sub(synced).Round(time.Millisecond), booted.Sub(synced).Round(time.Millisecond))
	}
	if len(running.Status.Interfaces) != 1 || running.Status.Interfaces[0].IPAddress != podNet.Addr ||
		running.Status.Interfaces[0].Name != "default" {
		t.Errorf("interfaces = %+v, want the default interface with the pod address %s", running.Status.Interfaces,
			podNet.Addr)
	}
	if running.Status.NodeName != c.node || len(running.Status.PhaseTransitionTimestamps) == 0 {
		t.Errorf("nodeName %q, transitions %+v", running.Status.NodeName, running.Status.PhaseTransitionTimestamps)
	}
	if out := c.nodeAPIConsole(t, vmi, cloudInitOutput); !strings.Contains(out, bootMarker) {
		t.Errorf("node api console shows no boot marker:\n%s", out)
	}
	if out := c.consoleViaVirtAPI(t, vmi, cloudInitOutput); !strings.Contains(out, bootMarker) {
		t.Errorf("console through virt-api shows no boot marker:\n%s", out)
	}
	pid := l.Domain(t).QemuPid
	t.Logf("FIGURE RSS per VM (KiB): virt-launcher with embedded libvirt %d, QEMU %d; virt-handler with 1 VM %d",
		nodeenv.RSSKiB(l.Cmd.Process.Pid), nodeenv.RSSKiB(int(pid)), nodeenv.RSSKiB(c.handler.Cmd.Process.Pid))

	pauseAndUnpauseViaVirtAPI(t, c, l, vmi)
	softReboot(t, c, l, cons, vmi, pid)
	restartHandler(t, env, c, l, vmi, pid)

	start := time.Now()
	if err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Delete(context.Background(), vmi.Name,
		metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitForVMI(t, vmi, 60*time.Second, "Succeeded after deletion", phaseIs(virtv1.Succeeded))
	took := time.Since(start)
	cons.WaitFor(t, 5*time.Second, "KVIRT-GUEST-POWEROFF")
	if took >= time.Duration(*vmi.Spec.TerminationGracePeriodSeconds)*time.Second {
		t.Errorf("cooperative guest took %s to stop, not less than its grace period", took)
	}
	t.Logf("FIGURE graceful stop of a cooperative guest: %s", took.Round(time.Millisecond))
	select {
	case <-l.Done():
	case <-time.After(30 * time.Second):
		t.Errorf("virt-launcher still runs after its domain is gone")
	}
}

// pauseAndUnpause goes through virt-handler's node API, as virt-api would.
func pauseAndUnpause(t *testing.T, c *cluster, l *nodeenv.Launcher, vmi *virtv1.VirtualMachineInstance) {
	t.Helper()
	if code := c.nodeAPI(t, http.MethodPut, vmi, "pause"); code != http.StatusOK {
		t.Fatalf("node api pause: status %d", code)
	}
	l.WaitForState(t, 10*time.Second, "Paused")
	c.waitForVMI(t, vmi, 30*time.Second, "Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		p := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused)
		return p != nil && p.Status == "True" && v.Status.Phase == virtv1.Running
	})
	if code := c.nodeAPI(t, http.MethodPut, vmi, "unpause"); code != http.StatusOK {
		t.Fatalf("node api unpause: status %d", code)
	}
	l.WaitForState(t, 10*time.Second, "Running")
	c.waitForVMI(t, vmi, 30*time.Second, "no Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		return vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused) == nil
	})
}

// softReboot reboots the guest through the node API: it boots again in the
// same QEMU process and the VMI stays Running.
func softReboot(t *testing.T, c *cluster, l *nodeenv.Launcher, cons *nodeenv.ConsoleReader,
	vmi *virtv1.VirtualMachineInstance, pid int64) {
	t.Helper()
	if code := c.nodeAPI(t, http.MethodPut, vmi, "softreboot"); code != http.StatusOK {
		t.Fatalf("node api softreboot: status %d", code)
	}
	nodeenv.WaitFor(t, 120*time.Second, "second boot", func() (bool, string) {
		return strings.Count(cons.Output(), bootMarker) >= 2, fmt.Sprintf("%d boots", strings.Count(cons.Output(), bootMarker))
	})
	if d := l.Domain(t); d.QemuPid != pid || d.State != "Running" {
		t.Fatalf("after the soft reboot the domain is %v, want Running in QEMU pid %d", d, pid)
	}
	if got := c.get(t, vmi).Status.Phase; got != virtv1.Running {
		t.Fatalf("phase after the soft reboot = %s", got)
	}
}

// restartHandler stops virt-handler, starts a new one and checks the VM kept
// running in the same QEMU and the new handler follows it.
func restartHandler(t *testing.T, env *nodeenv.Env, c *cluster, l *nodeenv.Launcher,
	vmi *virtv1.VirtualMachineInstance, pid int64) {
	t.Helper()
	c.handler.Stop(10 * time.Second)
	c.startHandler(t, env)
	if d := l.Domain(t); d.QemuPid != pid || d.State != "Running" {
		t.Fatalf("after the handler restart the domain is %v, want Running in QEMU pid %d", d, pid)
	}
	if err := syscall.Kill(int(pid), 0); err != nil {
		t.Fatalf("QEMU pid %d is gone after the handler restart: %v", pid, err)
	}
	// The new handler re-attached: it reflects a pause done after its start.
	pauseAndUnpause(t, c, l, vmi)
	if got := c.get(t, vmi).Status.Phase; got != virtv1.Running {
		t.Fatalf("phase after the handler restart = %s", got)
	}
}

// TestHandlerDiskImageAndQEMUKilled: a VMI booted from the disk image reaches
// Running with console and cloud-init output; killing QEMU fails it with a reason.
func TestHandlerDiskImageAndQEMUKilled(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, diskVMI("disk-boot"))
	l := c.launcherFor(t, env, vmi, containerDisks(t, env, "rootdisk"))
	cons := l.Console(t)
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))
	cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 60*time.Second, cloudInitOutput)

	pid := l.Domain(t).QemuPid
	if err := syscall.Kill(int(pid), syscall.SIGKILL); err != nil {
		t.Fatalf("kill QEMU: %v", err)
	}
	failed := c.waitForVMI(t, vmi, 60*time.Second, "Failed", phaseIs(virtv1.Failed))
	if failed.Status.Reason == "" {
		t.Errorf("failed VMI has no reason: %+v", failed.Status)
	}
	t.Logf("killed QEMU: phase %s, reason %q, ready %+v", failed.Status.Phase, failed.Status.Reason,
		vmiconditions.Get(failed, virtv1.VirtualMachineInstanceReady))
}

// TestHandlerMissingDiskFails: a VMI whose disk file is missing fails with a
// message naming the disk.
func TestHandlerMissingDiskFails(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, diskVMI("missing-disk"))
	c.launcherFor(t, env, vmi, nodeenv.ShortTempDir(t)) // no rootdisk in it
	failed := c.waitForVMI(t, vmi, 60*time.Second, "Failed", phaseIs(virtv1.Failed))
	ready := vmiconditions.Get(failed, virtv1.VirtualMachineInstanceReady)
	if ready == nil || !strings.Contains(ready.Message, `"rootdisk"`) {
		t.Fatalf("Ready condition %+v does not name the disk rootdisk", ready)
	}
	t.Logf("missing disk: reason %q, message %q", failed.Status.Reason, ready.Message)
}
