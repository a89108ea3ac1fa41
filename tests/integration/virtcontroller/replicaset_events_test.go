package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// replaceWithin is how soon a replica set must replace a VMI that failed or is
// being deleted: the VMI event enqueues the set, no resync or timeout involved.
const replaceWithin = 3 * time.Second

func oneReplicaSet(t *testing.T, c clients, ns string) {
	t.Helper()
	var rs virtv1.VirtualMachineInstanceReplicaSet
	compatExample(t, "vmi-replicaset-cirros.yaml", &rs)
	one := int32(1)
	rs.Name, rs.Namespace, rs.Spec.Replicas = "rs", ns, &one
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Create(context.Background(), &rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// liveReplica waits for the one VMI of the set that is not being deleted and is
// not other, and returns it.
func liveReplica(t *testing.T, c clients, ns string, timeout time.Duration, other types.UID) virtv1.VirtualMachineInstance {
	t.Helper()
	var live virtv1.VirtualMachineInstance
	eventually(t, timeout, "a live replica", func() error {
		list, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return err
		}
		var found []virtv1.VirtualMachineInstance
		for _, v := range list.Items {
			if v.DeletionTimestamp == nil && v.UID != other && !v.Status.Phase.IsFinal() {
				found = append(found, v)
			}
		}
		if len(found) != 1 {
			return fmt.Errorf("%d live replicas", len(found))
		}
		live = found[0]
		return nil
	})
	return live
}

func rsCondition(c clients, ns string, want bool) func() error {
	return func() error {
		rs, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Get(context.Background(), "rs", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cond := range rs.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineInstanceReplicaSetReplicaPaused {
				if !want {
					return fmt.Errorf("still %+v", cond)
				}
				if cond.Status != "True" || cond.Reason != "Paused" || cond.Message != "Controller got paused" {
					return fmt.Errorf("condition %+v", cond)
				}
				return nil
			}
		}
		if want {
			return fmt.Errorf("no ReplicaPaused in %+v", rs.Status.Conditions)
		}
		return nil
	}
}

func setPaused(t *testing.T, c clients, ns string, paused bool) {
	t.Helper()
	patch := []byte(fmt.Sprintf(`{"spec":{"paused":%t}}`, paused))
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Patch(context.Background(), "rs",
		types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestReplicaSetReplacesAtOnceAndShowsPause: a replica that fails (what
// virt-handler reports when its launcher died) or is deleted is replaced on the
// VMI event; pausing shows upstream's ReplicaPaused condition and stops the
// replacing, unpausing removes it and replaces what was lost meanwhile.
func TestReplicaSetReplacesAtOnceAndShowsPause(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	oneReplicaSet(t, c, ns)
	first := liveReplica(t, c, ns, 20*time.Second, "")
	setVMIPhase(t, c, ns, first.Name, virtv1.Running)

	start := time.Now()
	setVMIPhase(t, c, ns, first.Name, virtv1.Failed)
	second := liveReplica(t, c, ns, replaceWithin, first.UID)
	t.Logf("FIGURE failed replica replaced after %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	if err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(context.Background(), second.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	third := liveReplica(t, c, ns, replaceWithin, second.UID)
	t.Logf("FIGURE deleted replica replaced after %s", time.Since(start).Round(time.Millisecond))

	setPaused(t, c, ns, true)
	eventually(t, 10*time.Second, "ReplicaPaused", rsCondition(c, ns, true))
	setVMIPhase(t, c, ns, third.Name, virtv1.Failed)
	stays(t, 2*time.Second, "paused: nothing replaced", func() error {
		list, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, v := range list.Items {
			if v.UID != third.UID && v.DeletionTimestamp == nil && !v.Status.Phase.IsFinal() {
				return fmt.Errorf("replica %s created while paused", v.Name)
			}
		}
		return nil
	})
	setPaused(t, c, ns, false)
	eventually(t, 10*time.Second, "ReplicaPaused removed", rsCondition(c, ns, false))
	liveReplica(t, c, ns, replaceWithin, third.UID)
}
