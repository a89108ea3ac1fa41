package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestReplicaSetScale(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()

	// upstream's example, scaled to 0 first
	var rs virtv1.VirtualMachineInstanceReplicaSet
	compatExample(t, "vmi-replicaset-cirros.yaml", &rs)
	zero := int32(0)
	rs.Name, rs.Namespace, rs.Spec.Replicas = "rs", ns, &zero
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Create(ctx, &rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	scale := func(n int32) {
		eventually(t, 10*time.Second, fmt.Sprintf("scale to %d", n), func() error {
			cur, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Get(ctx, "rs", metav1.GetOptions{})
			if err != nil {
				return err
			}
			cur.Spec.Replicas = &n
			_, err = c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Update(ctx, cur, metav1.UpdateOptions{})
			return err
		})
	}
	liveVMIs := func() ([]virtv1.VirtualMachineInstance, error) {
		list, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		var live []virtv1.VirtualMachineInstance
		for _, v := range list.Items {
			if v.DeletionTimestamp == nil {
				live = append(live, v)
			}
		}
		return live, nil
	}
	status := func(replicas, ready int32) func() error {
		return func() error {
			cur, err := c.kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).Get(ctx, "rs", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if cur.Status.Replicas != replicas || cur.Status.ReadyReplicas != ready {
				return fmt.Errorf("replicas %d ready %d", cur.Status.Replicas, cur.Status.ReadyReplicas)
			}
			return nil
		}
	}
	stays(t, time.Second, "no vmis at 0 replicas", func() error {
		live, err := liveVMIs()
		if err == nil && len(live) != 0 {
			err = fmt.Errorf("%d vmis", len(live))
		}
		return err
	})

	scale(5)
	var live []virtv1.VirtualMachineInstance
	eventually(t, 20*time.Second, "5 vmis", func() error {
		var err error
		if live, err = liveVMIs(); err == nil && len(live) != 5 {
			err = fmt.Errorf("%d vmis", len(live))
		}
		return err
	})
	for _, v := range live {
		setVMIPhase(t, c, ns, v.Name, virtv1.Running)
	}
	eventually(t, 20*time.Second, "5 ready", status(5, 5))

	scale(2)
	eventually(t, 20*time.Second, "2 left", status(2, 2))
	stays(t, time.Second, "stays at 2", func() error {
		live, err := liveVMIs()
		if err == nil && len(live) != 2 {
			err = fmt.Errorf("%d vmis", len(live))
		}
		return err
	})
}
