package node

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// TestHandlerPausedStartResetAndConsoleLog: a VMI with startStrategy Paused
// runs with its domain paused, the Paused condition and no guest output until
// it is unpaused through virt-api; a reset through virt-api then boots the
// guest again in the same QEMU process; the serial console log file the
// launcher writes (what guest-console-log prints) holds both boots.
func TestHandlerPausedStartResetAndConsoleLog(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	c.startVirtAPI(t)
	vmi := kernelBootVMI("paused-start")
	vmi.Spec.StartStrategy = ptr.To(virtv1.StartStrategyPaused)
	vmi = c.createScheduled(t, vmi)
	logFile := filepath.Join(nodeenv.ShortTempDir(t), "log", "serial0.log")
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: nodeenv.ShortTempDir(t), KernelBootDir: env.GuestDir,
		ExtraArgs: []string{"--serial-console-log", logFile}})
	cons := l.Console(t)

	c.waitForVMI(t, vmi, 120*time.Second, "Running with the Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		p := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused)
		return v.Status.Phase == virtv1.Running && p != nil && p.Status == "True"
	})
	if d := l.Domain(t); d.State != "Paused" || d.QemuPid == 0 {
		t.Fatalf("domain of a paused start: %v, want Paused with a QEMU process", d)
	}
	// A paused guest prints nothing: watch it for a while (TCG boots to the
	// marker in seconds when it runs).
	quiet := time.Now().Add(5 * time.Second)
	for time.Now().Before(quiet) {
		if out := cons.Output(); strings.Contains(out, bootMarker) {
			t.Fatalf("the paused guest booted:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "unpause"); code != http.StatusOK {
		t.Fatalf("unpause through virt-api: %d %s", code, msg)
	}
	cons.WaitFor(t, 120*time.Second, bootMarker)
	c.waitForVMI(t, vmi, 30*time.Second, "no Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		return vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused) == nil
	})
	pid := l.Domain(t).QemuPid

	start := time.Now()
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "reset"); code != http.StatusOK {
		t.Fatalf("reset through virt-api: %d %s", code, msg)
	}
	nodeenv.WaitFor(t, 120*time.Second, "second boot after the reset", func() (bool, string) {
		n := strings.Count(cons.Output(), bootMarker)
		return n >= 2, fmt.Sprintf("%d boots", n)
	})
	t.Logf("FIGURE reset through virt-api -> second boot marker (TCG): %s", time.Since(start).Round(time.Millisecond))
	if d := l.Domain(t); d.QemuPid != pid || d.State != "Running" {
		t.Fatalf("after the reset the domain is %v, want Running in QEMU pid %d", d, pid)
	}
	if got := c.get(t, vmi).Status.Phase; got != virtv1.Running {
		t.Fatalf("phase after the reset = %s", got)
	}
	nodeenv.WaitFor(t, 10*time.Second, "both boots in the serial console log", func() (bool, string) {
		raw, err := os.ReadFile(logFile)
		return err == nil && strings.Count(string(raw), bootMarker) >= 2, fmt.Sprintf("%d bytes, %v", len(raw), err)
	})
}
