package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestVMIScheduledWhenPodRunsAndDeletionRemovesPod(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()

	vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, testVMI(ns, "sched"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create vmi: %v", err)
	}
	pod := launcherPod(t, c, vmi)
	if pod.Labels[virtv1.AppLabel] != "virt-launcher" || pod.Labels[virtv1.CreatedByLabel] != string(vmi.UID) {
		t.Errorf("pod labels = %v", pod.Labels)
	}
	eventually(t, 10*time.Second, "vmi Scheduling", vmiPhase(c, ns, vmi.Name, virtv1.Scheduling))

	markPodRunning(t, c, pod, "node01")
	eventually(t, 10*time.Second, "vmi Scheduled", vmiPhase(c, ns, vmi.Name, virtv1.Scheduled))
	got, err := getVMI(c, ns, vmi.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.NodeName != "node01" || got.Labels[virtv1.NodeNameLabel] != "node01" {
		t.Errorf("nodeName %q label %q, want node01", got.Status.NodeName, got.Labels[virtv1.NodeNameLabel])
	}
	var phases []virtv1.VirtualMachineInstancePhase
	for _, ts := range got.Status.PhaseTransitionTimestamps {
		phases = append(phases, ts.Phase)
	}
	if fmt.Sprint(phases) != "[Pending Scheduling Scheduled]" {
		t.Errorf("phaseTransitionTimestamps = %v", phases)
	}
	if len(got.Finalizers) != 1 || got.Finalizers[0] != virtv1.VirtualMachineInstanceFinalizer {
		t.Errorf("finalizers = %v", got.Finalizers)
	}

	if err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(ctx, vmi.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "launcher pod deleted", gone(func() error {
		_, err := c.kube.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
		return err
	}))
	eventually(t, 20*time.Second, "vmi deleted", gone(func() error { _, err := getVMI(c, ns, vmi.Name); return err }))
}

func TestVMIFailsWhenPodVanishes(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()

	for _, scheduled := range []bool{false, true} {
		name := fmt.Sprintf("vanish-%v", scheduled)
		vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, testVMI(ns, name), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create vmi: %v", err)
		}
		pod := launcherPod(t, c, vmi)
		if scheduled {
			markPodRunning(t, c, pod, "node01")
			eventually(t, 10*time.Second, "vmi Scheduled", vmiPhase(c, ns, name, virtv1.Scheduled))
		}
		zero := int64(0)
		if err := c.kube.CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
			t.Fatalf("delete pod: %v", err)
		}
		eventually(t, 10*time.Second, name+" Failed", vmiPhase(c, ns, name, virtv1.Failed))
	}
}

func TestVMIReportsPodCreateFailure(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	// without its ServiceAccount the apiserver refuses the launcher pod
	if err := c.kube.CoreV1().ServiceAccounts(ns).Delete(context.Background(), "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	startController(t, controllerOptions())
	vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(context.Background(), testVMI(ns, "nosa"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "Synchronized=False FailedCreate", func() error {
		got, err := getVMI(c, ns, vmi.Name)
		if err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineInstanceSynchronized && cond.Status == "False" && cond.Reason == "FailedCreate" {
				t.Logf("condition message: %s", cond.Message)
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", got.Status.Conditions)
	})
}
