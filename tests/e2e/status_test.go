package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virtctl/console"
	"kvirt.io/kvirt/tests/framework/poll"
)

// unpullableImage names a registry that does not resolve, so every pull fails.
const unpullableImage = "kvirt.local/does-not-exist:1"

// TestUnpullableContainerDiskShowsErrImagePull: a VM whose containerDisk image
// cannot be pulled says so in `kubectl get vm` (ErrImagePull, then
// ImagePullBackOff) and carries the kubelet's message in its Synchronized
// condition, instead of sitting in Starting.
func TestUnpullableContainerDiskShowsErrImagePull(t *testing.T) {
	ns := newNamespace(t)
	manifest := strings.Replace(example(t, "vm-testguest.yaml"), "image: "+e.guestDisk,
		"image: "+unpullableImage+"\n          imagePullPolicy: Always", 1)
	if !strings.Contains(manifest, unpullableImage) {
		t.Fatalf("the example no longer names the guest image %s", e.guestDisk)
	}
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	var vm *virtv1.VirtualMachine
	poll.Eventually(t, 3*time.Minute, "VM shows the failed pull", func() error {
		var err error
		if vm, err = e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), "testvm", metav1.GetOptions{}); err != nil {
			return err
		}
		switch vm.Status.PrintableStatus {
		case virtv1.VirtualMachineStatusErrImagePull, virtv1.VirtualMachineStatusImagePullBackOff:
			return nil
		}
		return fmt.Errorf("printableStatus %q, conditions %+v", vm.Status.PrintableStatus, vm.Status.Conditions)
	})
	var sync *virtv1.VirtualMachineCondition
	for i := range vm.Status.Conditions {
		if vm.Status.Conditions[i].Type == "Synchronized" {
			sync = &vm.Status.Conditions[i]
		}
	}
	if sync == nil || sync.Status != "False" || string(vm.Status.PrintableStatus) != sync.Reason || sync.Message == "" {
		t.Errorf("Synchronized condition %+v, want False with the pull error", sync)
	}
	out, _, _ := kubectl(t, "", "-n", ns, "get", "vm", "testvm")
	t.Logf("kubectl get vm:\n%s", out)
	if !strings.Contains(out, string(vm.Status.PrintableStatus)) {
		t.Errorf("kubectl get vm does not show %s", vm.Status.PrintableStatus)
	}
	if err := e.sub.StopVM(ctx(t), ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitVMIGone(t, ns, "testvm")
}

// TestConsoleRightAfterStart asks for the console as soon as the VM is started,
// the way `virtctl start vm && virtctl console vm` does: virt-api waits for the
// VMI to run; while it does not, it answers only 400 (what upstream's clients
// retry), never 503.
func TestConsoleRightAfterStart(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, example(t, "vm-testguest.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	start := time.Now()
	deadline := start.Add(startTimeout)
	// The VM controller creates the VMI a moment after the start request; from
	// then on the console waits for it to run.
	waitVMI(t, ns, "testvm", startTimeout, "exists", func(*virtv1.VirtualMachineInstance) error { return nil })
	attempts := 0
	for {
		attempts++
		ws, err := console.Dial(e.config, ns, "testvm", time.Minute)
		if err == nil {
			out, err := console.ReadUntil(ws, markerBooted, time.Now().Add(consoleTimeout))
			_ = ws.Close()
			if err != nil {
				t.Fatalf("console: %v; output:\n%s", err, out)
			}
			break
		}
		if !strings.Contains(err.Error(), "400") || time.Now().After(deadline) {
			t.Fatalf("console attempt %d after %s: %v", attempts, time.Since(start).Round(time.Second), err)
		}
		time.Sleep(time.Second)
	}
	t.Logf("FIGURE console connected %s after start, %d attempt(s)", time.Since(start).Round(time.Second), attempts)
	// containerDisk and masquerade: nothing keeps it on its node
	waitLiveMigratable(t, ns, "testvm", "True", "")
	cancelUnstartedMigration(t, ns, "testvm")
	unschedulableMigrationTimesOut(t, ns, "testvm")
}

// TestNoSerialConsole: with autoattachSerialConsole false the VM runs without a
// serial port and the console is refused with upstream's message.
func TestNoSerialConsole(t *testing.T) {
	ns := newNamespace(t)
	manifest := strings.Replace(example(t, "vm-testguest.yaml"), "        devices:\n",
		"        devices:\n          autoattachSerialConsole: false\n", 1)
	if !strings.Contains(manifest, "autoattachSerialConsole: false") {
		t.Fatal("could not edit the example")
	}
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	waitRunning(t, ns, "testvm")
	pid := waitQEMU(t, ns, "testvm")
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(cmdline), "isa-serial") {
		t.Errorf("QEMU has a serial port: %s", strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	path := fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/testvm/console",
		virtv1.SubresourceGroupVersion.Group, virtv1.SubresourceGroupVersion.Version, ns)
	// Do().Error() decodes the Status (DoRaw would keep only the code).
	err := e.kube.CoreV1().RESTClient().Get().AbsPath(path).Do(ctx(t)).Error()
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "No serial consoles are present.") {
		t.Errorf("console of a VMI without serial console: %v, want 400 No serial consoles are present.", err)
	}
	if _, err := console.Dial(e.config, ns, "testvm", 30*time.Second); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("websocket console: %v, want a 400", err)
	}
}
