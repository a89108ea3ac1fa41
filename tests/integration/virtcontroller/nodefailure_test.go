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

// testNode creates a Node whose virt-handler heartbeat is beatAgo old and whose
// Ready condition is ready, and deletes it when the test ends.
func testNode(t *testing.T, c clients, name string, beatAgo time.Duration, ready corev1.ConditionStatus) {
	t.Helper()
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels:      map[string]string{virtv1.NodeSchedulable: "true"},
		Annotations: map[string]string{virtv1.VirtHandlerHeartbeat: time.Now().Add(-beatAgo).UTC().Format(time.RFC3339)},
	}}
	created, err := c.kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create node %s: %v", name, err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}) })
	created.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready,
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	if _, err := c.kube.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("node %s status: %v", name, err)
	}
}

func nodeSchedulable(c clients, name, want string) func() error {
	return func() error {
		n, err := c.kube.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got := n.Labels[virtv1.NodeSchedulable]; got != want {
			return fmt.Errorf("node %s %s=%q", name, virtv1.NodeSchedulable, got)
		}
		return nil
	}
}

// TestNodeFailure: a node whose virt-handler heartbeat is stale goes
// unschedulable; once it is also NotReady its Running VMIs fail with reason
// NodeUnresponsive, the launcher pods' deletion (which no kubelet finishes) does
// not hold the VMIs back, and a VM with runStrategy Always gets a new VMI. VMIs
// on a node whose handler still beats, or whose kubelet is still Ready, keep
// running.
func TestNodeFailure(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()
	testNode(t, c, "nf-dead", 10*time.Minute, corev1.ConditionUnknown)
	testNode(t, c, "nf-quiet", 10*time.Minute, corev1.ConditionTrue)
	testNode(t, c, "nf-alive", 0, corev1.ConditionUnknown)

	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, "vm", virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create vm: %v", err)
	}
	first := vmiUID(t, c, ns, "vm", "")
	vmi, err := getVMI(c, ns, "vm")
	if err != nil {
		t.Fatal(err)
	}
	// Scheduled on the dead node: failed at once (virt-handler would own it).
	markPodRunning(t, c, launcherPod(t, c, vmi), "nf-dead")
	runningOn(t, c, ns, "quiet", "nf-quiet")
	runningOn(t, c, ns, "alive", "nf-alive")

	eventually(t, 20*time.Second, "nf-dead unschedulable", nodeSchedulable(c, "nf-dead", "false"))
	eventually(t, 20*time.Second, "nf-quiet unschedulable", nodeSchedulable(c, "nf-quiet", "false"))
	// The failed VMI's pod stays Terminating (no kubelet), yet the VM controller
	// could delete it and start a new one.
	vmiUID(t, c, ns, "vm", first)
	eventually(t, 10*time.Second, "NodeUnresponsive Event on the first VMI", func() error {
		events, err := c.kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
			FieldSelector: "involvedObject.uid=" + string(first) + ",reason=" + virtv1.NodeUnresponsiveReason})
		if err != nil {
			return err
		}
		if len(events.Items) == 0 {
			return fmt.Errorf("no event")
		}
		return nil
	})
	// A node dies under a Running VMI: its handler stops beating, then its
	// kubelet stops reporting.
	testNode(t, c, "nf-dying", 0, corev1.ConditionTrue)
	runningOn(t, c, ns, "running", "nf-dying")
	stays(t, 2*time.Second, "running while nf-dying is healthy", vmiPhase(c, ns, "running", virtv1.Running))
	node, err := c.kube.CoreV1().Nodes().Get(ctx, "nf-dying", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Conditions[0].Status = corev1.ConditionUnknown
	if node, err = c.kube.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	node.Annotations[virtv1.VirtHandlerHeartbeat] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	if _, err := c.kube.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "running Failed NodeUnresponsive",
		vmiReason(c, ns, "running", virtv1.Failed, virtv1.NodeUnresponsiveReason))
	eventually(t, 20*time.Second, "its finalizer dropped although the pod is Terminating", func() error {
		v, err := getVMI(c, ns, "running")
		if err != nil {
			return err
		}
		if len(v.Finalizers) > 0 {
			return fmt.Errorf("finalizers %v", v.Finalizers)
		}
		return nil
	})
	stays(t, 3*time.Second, "a VMI on a Ready node with a stale handler keeps running", vmiPhase(c, ns, "quiet", virtv1.Running))
	stays(t, time.Second, "a VMI whose handler still beats keeps running", vmiPhase(c, ns, "alive", virtv1.Running))
	if err := nodeSchedulable(c, "nf-alive", "true")(); err != nil {
		t.Error(err)
	}
}

// runningOn creates a VMI and plays scheduler, kubelet and virt-handler up to
// Running on node.
func runningOn(t *testing.T, c clients, ns, name, node string) {
	t.Helper()
	vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(context.Background(), testVMI(ns, name), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create vmi: %v", err)
	}
	markPodRunning(t, c, launcherPod(t, c, vmi), node)
	eventually(t, 10*time.Second, name+" Scheduled", vmiPhase(c, ns, name, virtv1.Scheduled))
	setVMIPhase(t, c, ns, name, virtv1.Running)
}
