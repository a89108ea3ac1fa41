package e2e

import (
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// TestKubeVirtRecreateKeepsVMs deletes the KubeVirt CR (the operator removes the
// install but leaves workloads alone) and creates it again: the VM keeps running
// on the same QEMU throughout and the new install takes it over. It runs last
// (file name) because it takes the whole add-on down for a while.
func TestKubeVirtRecreateKeepsVMs(t *testing.T) {
	ns := newNamespace(t)
	vmi, pid := runningVM(t, ns)
	kvs := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace)
	kv, err := kvs.Get(ctx(t), "kubevirt", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := kvs.Delete(ctx(t), kv.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 3*time.Minute, "KubeVirt CR removed", func() error {
		left, err := kvs.Get(ctx(t), kv.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		return fmt.Errorf("still there, phase %q", left.Status.Phase)
	})
	poll.Eventually(t, 2*time.Minute, "virt-handler pods gone", func() error {
		if n := len(handlerPods(t)); n > 0 {
			return fmt.Errorf("%d left", n)
		}
		return nil
	})
	assertAlive(t, pid, "the KubeVirt CR was deleted")
	if v, err := getVMI(t, ns, "testvm"); err != nil || v.UID != vmi.UID {
		t.Fatalf("VMI after uninstall: %v (uid %v, want %s)", err, v, vmi.UID)
	}

	fresh := &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: kv.Name, Namespace: kv.Namespace, Labels: kv.Labels}, Spec: kv.Spec}
	if _, err := kvs.Create(ctx(t), fresh, metav1.CreateOptions{}); err != nil {
		t.Fatalf("re-create the KubeVirt CR: %v", err)
	}
	waitAvailable(t, 5*time.Minute)
	waitHandlerReady(t, time.Minute, map[types.UID]bool{})
	assertAlive(t, pid, "the KubeVirt CR was re-created")
	if now, err := qemuPID(ns, "testvm"); err != nil || now != pid {
		t.Fatalf("QEMU pid %d (%v), want the same %d", now, err, pid)
	}
	pauseUnpause(t, ns, "testvm")
	if err := e.sub.StopVM(ctx(t), ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitVMIGone(t, ns, "testvm")
}

func waitAvailable(t *testing.T, timeout time.Duration) {
	t.Helper()
	poll.Eventually(t, timeout, "KubeVirt Available", func() error {
		kv, err := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace).Get(ctx(t), "kubevirt", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range kv.Status.Conditions {
			if c.Type == virtv1.KubeVirtConditionAvailable && c.Status == "True" {
				return nil
			}
		}
		return fmt.Errorf("phase %q conditions %v", kv.Status.Phase, kv.Status.Conditions)
	})
	// The KubeVirt's Available does not cover the aggregator's view of virt-api yet.
	poll.Eventually(t, timeout, "APIService v1.subresources.kubevirt.io Available", func() error {
		out, errOut, err := kubectl(t, "", "get", "apiservice", "v1.subresources.kubevirt.io",
			"-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`)
		if err != nil {
			return fmt.Errorf("kubectl get apiservice: %w: %s", err, errOut)
		}
		if out != "True" {
			return fmt.Errorf("Available=%q", out)
		}
		return nil
	})
}
