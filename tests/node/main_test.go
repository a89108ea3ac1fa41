package node

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// cp is the control plane shared by the handler tests of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

// cluster is one test's node: a Node object, the KubeVirt CR allowing
// emulation, and a running virt-handler.
type cluster struct {
	kube       kubernetes.Interface
	kvirt      kvirtclient.Interface
	node       string
	socketRoot string
	stateDir   string
	handler    *nodeenv.Handler
}

func newCluster(t *testing.T, env *nodeenv.Env) *cluster {
	t.Helper()
	cfg := cp.RESTConfig()
	c := &cluster{
		kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg),
		node: "node-" + rand.String(5), socketRoot: nodeenv.ShortTempDir(t), stateDir: t.TempDir(),
	}
	ctx := context.Background()
	if _, err := c.kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: c.node}},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ensureKubeVirt(t, c)
	c.startHandler(t, env)
	nodeenv.WaitFor(t, 30*time.Second, "node labels", func() (bool, string) {
		n, err := c.kube.CoreV1().Nodes().Get(ctx, c.node, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return n.Labels[virtv1.NodeSchedulable] == "true" && n.Labels["node.kvirt.io/accelerator"] == "tcg" &&
			n.Annotations[virtv1.VirtHandlerHeartbeat] != "", fmt.Sprint(n.Labels, n.Annotations)
	})
	return c
}

func ensureKubeVirt(t *testing.T, c *cluster) {
	t.Helper()
	ctx := context.Background()
	_, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt"}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	kv := &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt", Namespace: "kubevirt"}}
	kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(true)}
	_, err = c.kvirt.KubevirtV1().KubeVirts("kubevirt").Create(ctx, kv, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func (c *cluster) startHandler(t *testing.T, env *nodeenv.Env) {
	t.Helper()
	c.handler = env.StartHandler(t, nodeenv.HandlerConfig{Kubeconfig: cp.KubeconfigPath(), NodeName: c.node,
		SocketRoot: c.socketRoot, StateDir: c.stateDir})
}

// createScheduled creates the VMI as virt-controller would hand it over:
// Scheduled, labelled with this node, with the finalizer that keeps it until
// its domain is gone.
func (c *cluster) createScheduled(t *testing.T, vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	t.Helper()
	vmi = vmi.DeepCopy()
	vmi.UID = ""
	vmi.Labels = map[string]string{virtv1.NodeNameLabel: c.node}
	vmi.Finalizers = []string{"kubevirt.io/foregroundDeleteVirtualMachine"}
	vmi.Status = virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Scheduled, NodeName: c.node}
	out, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Create(context.Background(), vmi,
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create vmi: %v", err)
	}
	t.Cleanup(func() { c.removeVMI(vmi.Namespace, vmi.Name) })
	return out
}

func (c *cluster) removeVMI(ns, name string) {
	ctx := context.Background()
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	_, _ = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx, name, "application/merge-patch+json", patch,
		metav1.PatchOptions{})
	_ = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(ctx, name, metav1.DeleteOptions{})
}

func (c *cluster) get(t *testing.T, vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	t.Helper()
	out, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Get(context.Background(), vmi.Name,
		metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get vmi: %v", err)
	}
	return out
}

// waitForVMI polls the VMI until cond holds.
func (c *cluster) waitForVMI(t *testing.T, vmi *virtv1.VirtualMachineInstance, timeout time.Duration, what string,
	cond func(*virtv1.VirtualMachineInstance) bool) *virtv1.VirtualMachineInstance {
	t.Helper()
	var cur *virtv1.VirtualMachineInstance
	nodeenv.WaitFor(t, timeout, what, func() (bool, string) {
		cur = c.get(t, vmi)
		return cond(cur), fmt.Sprintf("phase=%s reason=%q conditions=%+v", cur.Status.Phase, cur.Status.Reason,
			cur.Status.Conditions)
	})
	return cur
}

func condition(vmi *virtv1.VirtualMachineInstance, t virtv1.VirtualMachineInstanceConditionType) *virtv1.VirtualMachineInstanceCondition {
	for i := range vmi.Status.Conditions {
		if vmi.Status.Conditions[i].Type == t {
			return &vmi.Status.Conditions[i]
		}
	}
	return nil
}

func phaseIs(p virtv1.VirtualMachineInstancePhase) func(*virtv1.VirtualMachineInstance) bool {
	return func(v *virtv1.VirtualMachineInstance) bool { return v.Status.Phase == p }
}
