package node

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestHandlerLauncherKilledFailsFast: a SIGKILLed launcher is noticed through
// its process exit (pidfd) rather than at the next resync: the VMI is Failed
// with LauncherGone. The time it takes is reported, not asserted.
func TestHandlerLauncherKilledFailsFast(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, kernelBootVMI("launcher-killed"))
	l := c.launcherFor(t, env, vmi, "")
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))

	killed := time.Now()
	if err := l.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill launcher: %v", err)
	}
	failed := c.waitForVMI(t, vmi, 60*time.Second, "Failed", phaseIs(virtv1.Failed))
	observed := time.Since(killed)
	if failed.Status.Reason != "LauncherGone" {
		t.Errorf("reason %q, want LauncherGone", failed.Status.Reason)
	}
	noticed := logTime(c.handler.Log(), "launcher gone")
	t.Logf("FIGURE launcher SIGKILL -> VMI Failed (LauncherGone) observed through the apiserver: %d ms "+
		"(handler decided after %d ms)", observed.Milliseconds(), noticed.Sub(killed).Milliseconds())
}

// TestHandlerLauncherStoppedKeepsVMI: a launcher SIGSTOPped for 10 s (less
// than the 30 s watchdog) does not fail its VMI although the handler syncs it
// meanwhile and gets no answer; after SIGCONT the handler drives it again.
func TestHandlerLauncherStoppedKeepsVMI(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, kernelBootVMI("launcher-stopped"))
	l := c.launcherFor(t, env, vmi, "")
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))
	pid := l.Cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stop launcher: %v", err)
	}
	stopped := true
	t.Cleanup(func() {
		if stopped {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		// every VMI update makes the handler sync it and call the launcher
		c.touch(t, vmi, i)
		if got := c.get(t, vmi); got.Status.Phase != virtv1.Running {
			t.Fatalf("phase %s (reason %q) while the launcher is stopped", got.Status.Phase, got.Status.Reason)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatalf("continue launcher: %v", err)
	}
	stopped = false
	// the handler reaches it again: a pause shows in the domain and the VMI
	pauseAndUnpause(t, c, l, vmi)
	if got := c.get(t, vmi); got.Status.Phase != virtv1.Running {
		t.Fatalf("phase %s (reason %q) after SIGCONT", got.Status.Phase, got.Status.Reason)
	}
}

// touch changes an annotation of the VMI, which makes virt-handler sync it.
func (c *cluster) touch(t *testing.T, vmi *virtv1.VirtualMachineInstance, n int) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"test.kvirt.io/touch":"%d"}}}`, n)
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(context.Background(), vmi.Name,
		types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatalf("touch vmi: %v", err)
	}
}
