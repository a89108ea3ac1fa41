package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// nodeFailureTimeout is the heartbeat timeout the node-failure test sets (the
// smallest the webhook accepts is 30s; virt-handler then beats every 12 s).
const nodeFailureTimeout = "60s"

// secondNode is the name of the local cluster's second node; the test is
// skipped on a one-node cluster (the default, and CI's).
func secondNode(t *testing.T) string {
	t.Helper()
	nodes, err := e.kube.CoreV1().Nodes().List(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	real := map[string]bool{}
	for _, n := range nodes.Items {
		if n.Labels["type"] != "kwok" {
			real[n.Name] = true
		}
	}
	for name := range real { // the second node is the first one's name + "-2"
		if real[name+"-2"] {
			return name + "-2"
		}
	}
	t.Skip("needs the second node: KVIRT_CLUSTER_NODES=2 make cluster-up")
	return ""
}

// node2 runs hack/node2.sh with action.
func node2(t *testing.T, action string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), filepath.Join(e.root, "hack", "node2.sh"), action)
	if raw, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/node2.sh %s: %v\n%s", action, err, raw)
	}
}

// withHeartbeatTimeout sets the KubeVirt CR's node heartbeat timeout for the
// test and waits until virt-controller and every virt-handler run with it;
// cleanup removes it again.
func withHeartbeatTimeout(t *testing.T, timeout string) {
	t.Helper()
	set := func(c context.Context, value string) error {
		return updateKubeVirt(c, func(kv *virtv1.KubeVirt) {
			if kv.Annotations == nil {
				kv.Annotations = map[string]string{}
			}
			if value == "" {
				delete(kv.Annotations, virtv1.NodeHeartbeatTimeoutAnnotation)
			} else {
				kv.Annotations[virtv1.NodeHeartbeatTimeoutAnnotation] = value
			}
		})
	}
	if err := set(ctx(t), timeout); err != nil {
		t.Fatalf("set %s: %v", virtv1.NodeHeartbeatTimeoutAnnotation, err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := set(c, ""); err != nil {
			t.Errorf("remove %s: %v", virtv1.NodeHeartbeatTimeoutAnnotation, err)
		}
	})
	rolledOut := func(selector, flag string, want int) func() error {
		return func() error {
			pods, err := e.kube.CoreV1().Pods(kvirtNamespace).List(ctx(t), metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				return err
			}
			ready := 0
			for i := range pods.Items {
				p := &pods.Items[i]
				if p.DeletionTimestamp == nil && podReady(p) && slices.Contains(p.Spec.Containers[0].Args, flag) {
					ready++
				}
			}
			if ready < want {
				return fmt.Errorf("%d of %d %s pods ready with %s", ready, want, selector, flag)
			}
			return nil
		}
	}
	poll.Eventually(t, 5*time.Minute, "virt-controller with the timeout",
		rolledOut("kubevirt.io=virt-controller", "--node-heartbeat-timeout", 1))
	poll.Eventually(t, 10*time.Minute, "both virt-handlers with the interval",
		rolledOut("kubevirt.io=virt-handler", "--heartbeat-interval", 2))
}

// onNode makes the test VM prefer node (it may still run elsewhere).
func onNode(manifest, node string) string {
	affinity := fmt.Sprintf(`    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
              - {key: kubernetes.io/hostname, operator: In, values: [%q]}
`, node)
	return strings.Replace(manifest, "    spec:\n", affinity, 1)
}

// TestNodeFailureRestartsVMElsewhere: on the two-node cluster, a VM
// (runStrategy Always) running on the second node whose kubelet and
// virt-handler are stopped and whose network is cut ends, after the heartbeat
// timeout and the node going NotReady, with its VMI failed NodeUnresponsive
// and a new VMI booted on the first node. The node is brought back afterwards.
func TestNodeFailureRestartsVMElsewhere(t *testing.T) {
	target := secondNode(t)
	withHeartbeatTimeout(t, nodeFailureTimeout)
	ns := newNamespace(t)
	manifest := onNode(strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1), target)
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	vmi := waitRunning(t, ns, "testvm")
	if vmi.Status.NodeName != target {
		t.Fatalf("VMI runs on %s, not on %s", vmi.Status.NodeName, target)
	}
	consoleUntil(t, ns, "testvm", markerBooted)
	t.Cleanup(func() { node2(t, "start") })
	killed := time.Now()
	node2(t, "stop")
	node2(t, "cut")
	t.Logf("stopped and cut off %s", target)
	next := waitVMI(t, ns, "testvm", 10*time.Minute, "replaced on the healthy node", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == vmi.UID || v.Status.Phase != virtv1.Running || v.Status.NodeName == target {
			return fmt.Errorf("uid %s phase %q node %q", v.UID, v.Status.Phase, v.Status.NodeName)
		}
		return nil
	})
	t.Logf("new VMI %s Running on %s %.0f s after the node was killed", next.UID, next.Status.NodeName, time.Since(killed).Seconds())
	events, err := e.kube.CoreV1().Events(ns).List(ctx(t), metav1.ListOptions{
		FieldSelector: "involvedObject.uid=" + string(vmi.UID) + ",reason=" + virtv1.NodeUnresponsiveReason})
	if err != nil || len(events.Items) == 0 {
		t.Errorf("no %s Event on the first VMI (%v)", virtv1.NodeUnresponsiveReason, err)
	}
	node, err := e.kube.CoreV1().Nodes().Get(ctx(t), target, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if node.Labels[virtv1.NodeSchedulable] != "false" {
		t.Errorf("%s still labelled %s=%q", target, virtv1.NodeSchedulable, node.Labels[virtv1.NodeSchedulable])
	}
	consoleUntil(t, ns, "testvm", markerBooted)
}
