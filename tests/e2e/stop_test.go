package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// promptStop bounds a forced stop or restart, and the stop of a paused VM: the
// domain is destroyed, not shut down within its 30 s grace period.
const promptStop = 5 * time.Second

// ignoringACPI is the test VM whose guest ignores the ACPI power button (the
// test guest's init honours /run/kvirt-ignore-acpi), so only a destroy ends it.
func ignoringACPI(t *testing.T) string {
	t.Helper()
	const line = "            echo 'printed from cloud-init userdata'\n"
	vm := example(t, "vm-testguest.yaml")
	if !strings.Contains(vm, line) {
		t.Fatalf("vm-testguest.yaml has no user data line %q", line)
	}
	return strings.Replace(vm, line, "            touch /run/kvirt-ignore-acpi\n"+line, 1)
}

// runningTestVM applies manifest, starts testvm and waits until its guest ran
// the user data; it returns the VMI and its QEMU pid.
func runningTestVM(t *testing.T, ns, manifest string) (*virtv1.VirtualMachineInstance, int) {
	t.Helper()
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	vmi := waitRunning(t, ns, "testvm")
	consoleUntil(t, ns, "testvm", markerBooted, markerUserData)
	return vmi, waitQEMU(t, ns, "testvm")
}

// qemuGoneWithin waits until QEMU pid exited and fails when that took longer
// than limit; it returns how long it took.
func qemuGoneWithin(t *testing.T, pid int, start time.Time, limit time.Duration, what string) time.Duration {
	t.Helper()
	poll.Eventually(t, stopTimeout, fmt.Sprintf("QEMU %d gone after %s", pid, what), func() error {
		if processAlive(pid) {
			return fmt.Errorf("QEMU %d still runs", pid)
		}
		return nil
	})
	took := time.Since(start)
	if took > limit {
		t.Errorf("%s: QEMU ran %s longer, want under %s", what, took.Round(time.Millisecond), limit)
	}
	t.Logf("FIGURE %s: QEMU gone after %s", what, took.Round(time.Millisecond))
	return took
}

// TestForcedStopOfGuestIgnoringACPI: `virtctl stop --grace-period 0 --force`
// on a guest that ignores ACPI destroys it at once, not after 30 s.
func TestForcedStopOfGuestIgnoringACPI(t *testing.T) {
	ns := newNamespace(t)
	_, pid := runningTestVM(t, ns, ignoringACPI(t))
	start := time.Now()
	out, err := exec.CommandContext(ctx(t), e.virtctl, "--kubeconfig", e.kubeconfig, "-n", ns,
		"stop", "testvm", "--grace-period", "0", "--force").CombinedOutput()
	if err != nil {
		t.Fatalf("virtctl stop --grace-period 0 --force: %v\n%s", err, out)
	}
	qemuGoneWithin(t, pid, start, promptStop, "forced stop of a guest ignoring ACPI")
	waitVMIGone(t, ns, "testvm")
}

// TestForcedRestartOfGuestIgnoringACPI: `virtctl restart --force
// --grace-period 0` destroys the old domain at once and starts a new VMI.
func TestForcedRestartOfGuestIgnoringACPI(t *testing.T) {
	ns := newNamespace(t)
	vmi, pid := runningTestVM(t, ns, ignoringACPI(t))
	start := time.Now()
	if err := e.sub.RestartVM(ctx(t), ns, "testvm", &virtv1.RestartOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatalf("forced restart: %v", err)
	}
	qemuGoneWithin(t, pid, start, promptStop, "forced restart of a guest ignoring ACPI")
	waitVMI(t, ns, "testvm", startTimeout, "restarted as a new VMI", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == vmi.UID || v.Status.Phase != virtv1.Running {
			return fmt.Errorf("uid %s phase %q", v.UID, v.Status.Phase)
		}
		return nil
	})
}

// TestStopOfPausedVM: a paused guest cannot react to ACPI; stopping it destroys
// the domain promptly instead of waiting out its 30 s grace period.
func TestStopOfPausedVM(t *testing.T) {
	ns := newNamespace(t)
	_, pid := runningTestVM(t, ns, example(t, "vm-testguest.yaml"))
	if err := e.sub.PauseVMI(ctx(t), ns, "testvm", &virtv1.PauseOptions{}); err != nil {
		t.Fatalf("pause: %v", err)
	}
	waitVMI(t, ns, "testvm", time.Minute, "Paused", func(v *virtv1.VirtualMachineInstance) error {
		for _, c := range v.Status.Conditions {
			if c.Type == virtv1.VirtualMachineInstancePaused && c.Status == "True" {
				return nil
			}
		}
		return fmt.Errorf("conditions %v", v.Status.Conditions)
	})
	start := time.Now()
	if err := e.sub.StopVM(ctx(t), ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	qemuGoneWithin(t, pid, start, promptStop, "stop of a paused VM")
	waitVMIGone(t, ns, "testvm")
}

// processAlive reports whether pid still runs (a zombie has ended).
func processAlive(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: the state follows the last ')'.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
