package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// runningWithPod creates a VMI, plays scheduler, kubelet and virt-handler up to
// Running on node01, and returns it with its launcher pod.
func runningWithPod(t *testing.T, c clients, ns, name string) (*virtv1.VirtualMachineInstance, *corev1.Pod) {
	t.Helper()
	runningOn(t, c, ns, name, "node01")
	vmi, err := getVMI(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return vmi, launcherPod(t, c, vmi)
}

func computeExited(code int32) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "compute", State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: code, FinishedAt: metav1.Now()}}}}
	}
}

func vmiReason(c clients, ns, name string, phase virtv1.VirtualMachineInstancePhase, reason string) func() error {
	return func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		if vmi.Status.Phase != phase || vmi.Status.Reason != reason {
			return fmt.Errorf("phase %q reason %q", vmi.Status.Phase, vmi.Status.Reason)
		}
		return nil
	}
}

// TestRunningVMIFailsWhenLauncherEnds: as upstream, virt-controller fails a
// Running VMI whose launcher pod is gone or whose compute container exited
// with an error; a clean exit is left to virt-handler for a grace period.
func TestRunningVMIFailsWhenLauncherEnds(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()

	_, pod := runningWithPod(t, c, ns, "killed")
	setPodStatus(t, c, ns, pod.Name, computeExited(137))
	eventually(t, 20*time.Second, "killed Failed LauncherExited", vmiReason(c, ns, "killed", virtv1.Failed, "LauncherExited"))

	_, pod = runningWithPod(t, c, ns, "deleted")
	zero := int64(0)
	if err := c.kube.CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatalf("delete pod: %v", err)
	}
	eventually(t, 20*time.Second, "deleted Failed LauncherPodDeleted", vmiReason(c, ns, "deleted", virtv1.Failed, "LauncherPodDeleted"))

	_, pod = runningWithPod(t, c, ns, "clean")
	setPodStatus(t, c, ns, pod.Name, computeExited(0))
	// the controller saw the pod update (its Event names the pod) but leaves
	// the VMI to virt-handler within the grace period
	stays(t, 3*time.Second, "clean exit stays Running within the grace", vmiPhase(c, ns, "clean", virtv1.Running))
}
