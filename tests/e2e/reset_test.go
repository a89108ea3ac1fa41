package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virtctl/console"
	"kvirt.io/kvirt/tests/framework/poll"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// virtctlIn runs virtctl in namespace ns and fails the test when it fails.
func virtctlIn(t *testing.T, ns string, args ...string) string {
	t.Helper()
	out, err := virtctl(t, append([]string{"-n", ns}, args...)...)
	if err != nil {
		t.Fatalf("virtctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// launcherPod is the running launcher pod of vmi.
func launcherPod(t *testing.T, vmi *virtv1.VirtualMachineInstance) corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	poll.Eventually(t, time.Minute, "launcher pod of "+vmi.Name, func() error {
		pods, err := e.kube.CoreV1().Pods(vmi.Namespace).List(ctx(t), metav1.ListOptions{
			LabelSelector: virtv1.CreatedByLabel + "=" + string(vmi.UID)})
		if err != nil {
			return err
		}
		if len(pods.Items) != 1 {
			return fmt.Errorf("%d launcher pods", len(pods.Items))
		}
		pod = pods.Items[0]
		return nil
	})
	return pod
}

// TestVirtctlReset: `virtctl reset` hard-resets the guest: it boots again
// (a second boot marker on the console) in the same launcher pod and the same
// QEMU process, and the VMI stays Running.
func TestVirtctlReset(t *testing.T) {
	ns := newNamespace(t)
	vmi, pid := runningTestVM(t, ns, example(t, "vm-testguest.yaml"))
	pod := launcherPod(t, vmi)
	ws, err := console.Dial(e.config, ns, "testvm", 30*time.Second)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	defer func() { _ = ws.Close() }()
	// The history replays the first boot; read past it first.
	if out, err := console.ReadUntil(ws, markerUserData, time.Now().Add(consoleTimeout)); err != nil {
		t.Fatalf("console history: %v\n%s", err, out)
	}
	start := time.Now()
	if out := virtctlIn(t, ns, "reset", "testvm"); !strings.Contains(out, "VMI testvm was scheduled to reset") {
		t.Errorf("virtctl reset printed %q", out)
	}
	if out, err := console.ReadUntil(ws, markerBooted, time.Now().Add(consoleTimeout)); err != nil {
		t.Fatalf("no second boot after the reset: %v\n%s", err, out)
	}
	t.Logf("FIGURE virtctl reset -> second boot marker: %s", time.Since(start).Round(time.Millisecond))
	if got, err := qemuPID(ns, "testvm"); err != nil || got != pid {
		t.Errorf("QEMU after the reset: pid %d (%v), want the same %d", got, err, pid)
	}
	after := launcherPod(t, vmi)
	if after.UID != pod.UID {
		t.Errorf("launcher pod %s replaced by %s: a reset must keep the pod", pod.Name, after.Name)
	}
	if v, err := getVMI(t, ns, "testvm"); err != nil || v.UID != vmi.UID || v.Status.Phase != virtv1.Running {
		t.Errorf("VMI after the reset: %v %v", v, err)
	}
}

// TestVirtctlStartPaused: `virtctl start --paused` gives a Running VMI with
// the Paused condition and spec.startStrategy Paused whose guest prints
// nothing until `virtctl unpause`; the VM's template is left as it was.
func TestVirtctlStartPaused(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, example(t, "vm-testguest.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	virtctlIn(t, ns, "start", "--paused", "testvm")
	vmi := waitVMI(t, ns, "testvm", startTimeout, "Running and Paused", func(v *virtv1.VirtualMachineInstance) error {
		c := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused)
		if v.Status.Phase != virtv1.Running || c == nil || c.Status != string(corev1.ConditionTrue) {
			return fmt.Errorf("phase %q, conditions %v", v.Status.Phase, v.Status.Conditions)
		}
		return nil
	})
	if s := vmi.Spec.StartStrategy; s == nil || *s != virtv1.StartStrategyPaused {
		t.Errorf("VMI startStrategy %v, want Paused", s)
	}
	vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), "testvm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if vm.Spec.Template.Spec.StartStrategy != nil {
		t.Errorf("the VM template was rewritten: startStrategy %v", *vm.Spec.Template.Spec.StartStrategy)
	}
	ws, err := console.Dial(e.config, ns, "testvm", 30*time.Second)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	defer func() { _ = ws.Close() }()
	// Paused from its first instruction: nothing within 30 s (the guest boots
	// to its marker in about that time under TCG once it runs).
	if out, err := console.ReadUntil(ws, markerBooted, time.Now().Add(30*time.Second)); err == nil {
		t.Fatalf("the paused guest printed its boot marker:\n%s", out)
	}
	_ = ws.Close()
	virtctlIn(t, ns, "unpause", "vm", "testvm")
	consoleUntil(t, ns, "testvm", markerBooted, markerUserData)
	waitVMI(t, ns, "testvm", time.Minute, "not Paused", func(v *virtv1.VirtualMachineInstance) error {
		if c := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused); c != nil {
			return fmt.Errorf("conditions %v", v.Status.Conditions)
		}
		return nil
	})
}

// TestGuestConsoleLog: `kubectl logs POD -c guest-console-log` shows the
// guest's serial output (upstream's default: logged).
func TestGuestConsoleLog(t *testing.T) {
	ns := newNamespace(t)
	vmi, _ := runningTestVM(t, ns, example(t, "vm-testguest.yaml"))
	pod := launcherPod(t, vmi)
	poll.Eventually(t, consoleTimeout, "boot marker in the guest-console-log container's log", func() error {
		out, errOut, err := kubectl(t, "", "-n", ns, "logs", pod.Name, "-c", "guest-console-log")
		if err != nil {
			return fmt.Errorf("kubectl logs: %w: %s", err, errOut)
		}
		if !strings.Contains(out, markerBooted) {
			return fmt.Errorf("log so far:\n%s", out)
		}
		return nil
	})
}
