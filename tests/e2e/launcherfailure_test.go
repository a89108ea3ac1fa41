package e2e

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// TestLauncherStopKeepsVMI: a virt-launcher process SIGSTOPped for 10 s (less
// than virt-handler's 30 s --launcher-watchdog) leaves its VMI Running, and
// after SIGCONT the handler drives it again (pause/unpause).
func TestLauncherStopKeepsVMI(t *testing.T) {
	ns := newNamespace(t)
	vmi, _ := runningVM(t, ns)
	pid, err := launcherPID(vmi.UID)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stop launcher %d: %v", pid, err)
	}
	stopped := true
	t.Cleanup(func() {
		if stopped {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	})
	t.Logf("stopped virt-launcher pid %d of VMI %s", pid, vmi.UID)
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		// an annotation change makes virt-handler sync the VMI and call the launcher
		patch := fmt.Sprintf(`{"metadata":{"annotations":{"e2e.kvirt.io/touch":"%d"}}}`, i)
		if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx(t), vmi.Name, types.MergePatchType,
			[]byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatalf("touch vmi: %v", err)
		}
		v, err := getVMI(t, ns, vmi.Name)
		if err != nil {
			t.Fatal(err)
		}
		if v.UID != vmi.UID || v.Status.Phase != virtv1.Running {
			t.Fatalf("VMI %s phase %q reason %q while its launcher is stopped", v.UID, v.Status.Phase, v.Status.Reason)
		}
		time.Sleep(time.Second)
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatalf("continue launcher %d: %v", pid, err)
	}
	stopped = false
	pauseUnpause(t, ns, vmi.Name)
	v, err := getVMI(t, ns, vmi.Name)
	if err != nil {
		t.Fatal(err)
	}
	if v.UID != vmi.UID || v.Status.Phase != virtv1.Running {
		t.Fatalf("VMI %s phase %q reason %q after SIGCONT", v.UID, v.Status.Phase, v.Status.Reason)
	}
}

// TestLauncherKillFailsFast: a SIGKILLed virt-launcher process fails its VMI
// (virt-handler sees the process exit or the connection close; virt-controller
// sees the compute container exit). The time is reported, not asserted.
func TestLauncherKillFailsFast(t *testing.T) {
	ns := newNamespace(t)
	vmi, _ := runningVM(t, ns)
	pid, err := launcherPID(vmi.UID)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Watch(ctx(t), metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", vmi.Name).String(), ResourceVersion: vmi.ResourceVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill launcher %d: %v", pid, err)
	}
	wctx, cancel := context.WithTimeout(ctx(t), 2*time.Minute)
	defer cancel()
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch ended before the VMI failed")
			}
			v, isVMI := ev.Object.(*virtv1.VirtualMachineInstance)
			if !isVMI || v.UID != vmi.UID || v.Status.Phase != virtv1.Failed {
				continue
			}
			t.Logf("FIGURE launcher SIGKILL -> VMI Failed observed: %d ms (reason %s)",
				time.Since(killed).Milliseconds(), v.Status.Reason)
			return
		case <-wctx.Done():
			v, _ := getVMI(t, ns, vmi.Name)
			t.Fatalf("VMI not Failed 2 min after its launcher was killed: %+v", v.Status)
		}
	}
}
