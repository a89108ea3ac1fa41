package node

import (
	"context"
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// promptStop is how long a forced stop or the stop of a paused guest may take.
const promptStop = 5 * time.Second

// domainEnded waits until the launcher's domain is off (or the launcher, having
// seen it go, exited) and returns when that was first seen.
func domainEnded(t *testing.T, l *nodeenv.Launcher, timeout time.Duration) time.Time {
	t.Helper()
	nodeenv.WaitFor(t, timeout, "domain stopped", func() (bool, string) {
		select {
		case <-l.Done():
			return true, "launcher exited"
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		resp, err := l.Client.GetDomain(ctx, &launcherv1.Empty{})
		if err != nil {
			return false, err.Error()
		}
		return resp.Domain.GetState() == "Shutoff", resp.Domain.String()
	})
	return time.Now()
}

// TestHandlerForcedStopOfGuestIgnoringACPI: a VMI being stopped gracefully
// (grace 30 s) whose guest ignores the power button is destroyed within
// seconds once its grace period is cut to 0, as virt-api does for
// `virtctl stop --grace-period 0 --force`.
func TestHandlerForcedStopOfGuestIgnoringACPI(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := kernelBootVMI("forced-stop")
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = "#!/bin/sh\ntouch /run/kvirt-ignore-acpi\necho acpi-ignored\n"
	vmi = c.createScheduled(t, vmi)
	l := c.launcherFor(t, env, vmi, "")
	cons := l.Console(t)
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))
	cons.WaitFor(t, 120*time.Second, "acpi-ignored")

	vmis := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace)
	if err := vmis.Delete(context.Background(), vmi.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	cons.WaitFor(t, 30*time.Second, "KVIRT-GUEST-IGNORING-ACPI")
	start := time.Now()
	_, err := vmis.Patch(context.Background(), vmi.Name, types.MergePatchType,
		[]byte(`{"spec":{"terminationGracePeriodSeconds":0}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("cut the grace period: %v", err)
	}
	took := domainEnded(t, l, 30*time.Second).Sub(start)
	if took > promptStop {
		t.Errorf("forced stop took %s, want under %s", took, promptStop)
	}
	t.Logf("FIGURE forced stop of a guest ignoring ACPI: %s after the grace period was cut to 0", took.Round(time.Millisecond))
}

// TestHandlerStopOfPausedVMI: a paused guest cannot react to the power button;
// deleting its VMI destroys the domain at once instead of waiting out the 30 s
// grace period.
func TestHandlerStopOfPausedVMI(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, kernelBootVMI("paused-stop"))
	l := c.launcherFor(t, env, vmi, "")
	cons := l.Console(t)
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))
	cons.WaitFor(t, 120*time.Second, cloudInitOutput)
	if code := c.nodeAPI(t, http.MethodPut, vmi, "pause"); code != http.StatusOK {
		t.Fatalf("node api pause: status %d", code)
	}
	l.WaitForState(t, 10*time.Second, "Paused")

	start := time.Now()
	if err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Delete(context.Background(), vmi.Name,
		metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	took := domainEnded(t, l, 40*time.Second).Sub(start)
	if took > promptStop {
		t.Errorf("stop of a paused VMI took %s, want under %s (grace %ds)", took, promptStop,
			*vmi.Spec.TerminationGracePeriodSeconds)
	}
	t.Logf("FIGURE stop of a paused VMI: %s", took.Round(time.Millisecond))
}
