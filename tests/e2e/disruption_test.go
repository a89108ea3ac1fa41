package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// runningVM creates the example VM with runStrategy Always and returns its
// running VMI once the guest booted, with QEMU's host PID.
func runningVM(t *testing.T, ns string) (*virtv1.VirtualMachineInstance, int) {
	t.Helper()
	manifest := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	vmi := waitRunning(t, ns, "testvm")
	consoleUntil(t, ns, "testvm", markerBooted)
	return vmi, waitQEMU(t, ns, "testvm")
}

func handlerPods(t *testing.T) []corev1.Pod {
	t.Helper()
	pods, err := e.kube.CoreV1().Pods(kvirtNamespace).List(ctx(t), metav1.ListOptions{LabelSelector: "kubevirt.io=virt-handler"})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitHandlerReady waits for a ready virt-handler pod other than the old ones.
func waitHandlerReady(t *testing.T, timeout time.Duration, old map[types.UID]bool) {
	t.Helper()
	poll.Eventually(t, timeout, "a new ready virt-handler pod", func() error {
		for _, p := range handlerPods(t) {
			if !old[p.UID] && p.DeletionTimestamp == nil && podReady(&p) {
				return nil
			}
		}
		return fmt.Errorf("handler pods: %d, none new and ready", len(handlerPods(t)))
	})
}

func assertAlive(t *testing.T, pid int, what string) {
	t.Helper()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("QEMU (pid %d) is gone after %s: %v", pid, what, err)
	}
}

// TestHandlerPodDeletionKeepsVM: deleting virt-handler's pod leaves QEMU running
// (same PID) and the new handler re-attaches: the VMI stays Running and
// pause/unpause go through it.
func TestHandlerPodDeletionKeepsVM(t *testing.T) {
	ns := newNamespace(t)
	_, pid := runningVM(t, ns)
	old := map[types.UID]bool{}
	for _, p := range handlerPods(t) {
		old[p.UID] = true
		if err := e.kube.CoreV1().Pods(kvirtNamespace).Delete(ctx(t), p.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete handler pod: %v", err)
		}
	}
	if len(old) == 0 {
		t.Fatal("no virt-handler pod")
	}
	waitHandlerReady(t, 3*time.Minute, old)
	assertAlive(t, pid, "the handler restart")
	if now, err := qemuPID(ns, "testvm"); err != nil || now != pid {
		t.Fatalf("QEMU pid %d (%v), want the same %d", now, err, pid)
	}
	pauseUnpause(t, ns, "testvm")
	if v, err := getVMI(t, ns, "testvm"); err != nil || v.Status.Phase != virtv1.Running {
		t.Fatalf("VMI after the handler restart: %v, %v", v.Status.Phase, err)
	}
}

// launcherPID finds the VMI's virt-launcher process on this host.
func launcherPID(uid types.UID) (int, error) {
	comms, err := filepath.Glob("/proc/[0-9]*/comm")
	if err != nil {
		return 0, err
	}
	for _, c := range comms {
		comm, err := os.ReadFile(c)
		if err != nil || strings.TrimSpace(string(comm)) != "virt-launcher" {
			continue
		}
		dir := filepath.Dir(c)
		environ, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err == nil && bytes.Contains(environ, []byte("KVIRT_VMI_UID="+string(uid)+"\x00")) {
			return strconv.Atoi(filepath.Base(dir))
		}
	}
	return 0, fmt.Errorf("no virt-launcher process for VMI %s", uid)
}

// TestLauncherKillRestartsVM: killing the launcher fails the VMI, and
// runStrategy Always brings up a new one.
func TestLauncherKillRestartsVM(t *testing.T) {
	ns := newNamespace(t)
	w, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Watch(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	phases := recordPhases(w)
	vmi, _ := runningVM(t, ns)
	pid, err := launcherPID(vmi.UID)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill launcher %d: %v", pid, err)
	}
	t.Logf("killed virt-launcher pid %d of VMI %s", pid, vmi.UID)
	next := waitVMI(t, ns, "testvm", 2*startTimeout, "replaced by a new running VMI", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == vmi.UID || v.Status.Phase != virtv1.Running {
			return fmt.Errorf("uid %s phase %q", v.UID, v.Status.Phase)
		}
		return nil
	})
	consoleUntil(t, ns, "testvm", markerBooted)
	w.Stop()
	seen := <-phases
	if !seen[vmi.UID][virtv1.Failed] {
		t.Errorf("the killed launcher's VMI was never Failed; phases seen: %v", seen[vmi.UID])
	}
	t.Logf("new VMI %s Running after the launcher was killed", next.UID)
}

// recordPhases collects every phase each VMI went through until the watch ends.
func recordPhases(w watch.Interface) <-chan map[types.UID]map[virtv1.VirtualMachineInstancePhase]bool {
	out := make(chan map[types.UID]map[virtv1.VirtualMachineInstancePhase]bool, 1)
	go func() {
		seen := map[types.UID]map[virtv1.VirtualMachineInstancePhase]bool{}
		for ev := range w.ResultChan() {
			v, ok := ev.Object.(*virtv1.VirtualMachineInstance)
			if !ok {
				continue
			}
			if seen[v.UID] == nil {
				seen[v.UID] = map[virtv1.VirtualMachineInstancePhase]bool{}
			}
			seen[v.UID][v.Status.Phase] = true
		}
		out <- seen
	}()
	return out
}
