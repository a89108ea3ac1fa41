package virtcontroller

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	virtcontroller "kvirt.io/kvirt/pkg/virt-controller"
	"kvirt.io/kvirt/tests/framework/background"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/poll"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

type clients struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
}

func newClients(t *testing.T) clients {
	t.Helper()
	cfg := cp.RESTConfig()
	cfg.QPS, cfg.Burst = 500, 1000
	return clients{kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg)}
}

// testNamespace creates a namespace with its default ServiceAccount (no
// controller-manager creates it) and deletes it afterwards.
func testNamespace(t *testing.T, c clients) string {
	t.Helper()
	ctx := context.Background()
	ns, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vc-test-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	_, err = c.kube.CoreV1().ServiceAccounts(ns.Name).Create(ctx, &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create default service account: %v", err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}) })
	return ns.Name
}

var (
	kubeconfigOnce sync.Once
	kubeconfigPath string
)

// controllerKubeconfig acts as virt-controller's ServiceAccount with the RBAC
// virt-operator installs, so a call the role lacks fails the test exercising it.
func controllerKubeconfig() string {
	kubeconfigOnce.Do(func() {
		var err error
		kubeconfigPath, err = componentrbac.KubeconfigFile(cp.RESTConfig(), componentrbac.Controller, cp.WorkDir())
		if err != nil {
			panic(err)
		}
	})
	return kubeconfigPath
}

// controllerOptions are the flags' defaults with the test control plane and no
// leader election or metrics server.
func controllerOptions() *virtcontroller.Options {
	o := &virtcontroller.Options{}
	fs := newFlagSet()
	o.AddFlags(fs)
	o.Client.Kubeconfig = controllerKubeconfig()
	o.MetricsAddress = ""
	o.Leader.Enabled = false
	return o
}

// startController runs virt-controller in this process until the test ends.
func startController(t *testing.T, o *virtcontroller.Options) {
	t.Helper()
	if err := o.Validate(); err != nil {
		t.Fatalf("options: %v", err)
	}
	background.Run(t, "virt-controller", o.Run)
}

// fakeKubelet finishes graceful pod deletions in ns the way a kubelet would once
// the containers stopped, until the test ends.
func fakeKubelet(t *testing.T, c clients, ns string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait.UntilWithContext(ctx, func(ctx context.Context) {
			pods, err := c.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return
			}
			for _, p := range pods.Items {
				if p.DeletionTimestamp != nil {
					zero := int64(0)
					_ = c.kube.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
				}
			}
		}, 200*time.Millisecond)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// eventually is poll.Eventually, named short for the many call sites here.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	poll.Eventually(t, timeout, what, cond)
}

// launcherPod waits for the VMI's launcher pod and returns it.
func launcherPod(t *testing.T, c clients, vmi *virtv1.VirtualMachineInstance) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	eventually(t, 30*time.Second, "launcher pod of "+vmi.Name, func() error {
		pods, err := c.kube.CoreV1().Pods(vmi.Namespace).List(context.Background(), metav1.ListOptions{
			LabelSelector: virtv1.CreatedByLabel + "=" + string(vmi.UID),
		})
		if err != nil {
			return err
		}
		if len(pods.Items) != 1 {
			return fmt.Errorf("%d pods", len(pods.Items))
		}
		pod = &pods.Items[0]
		return nil
	})
	return pod
}

// markPodRunning does what the scheduler and kubelet would: bind the pod to node
// and report it running and ready.
func markPodRunning(t *testing.T, c clients, pod *corev1.Pod, node string) {
	t.Helper()
	ctx := context.Background()
	err := c.kube.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("bind %s: %v", pod.Name, err)
	}
	setPodStatus(t, c, pod.Namespace, pod.Name, func(p *corev1.Pod) {
		now := metav1.Now()
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		}
	})
}

func setPodStatus(t *testing.T, c clients, ns, name string, mutate func(*corev1.Pod)) {
	t.Helper()
	eventually(t, 10*time.Second, "update status of pod "+name, func() error {
		p, err := c.kube.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		mutate(p)
		_, err = c.kube.CoreV1().Pods(ns).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
		return err
	})
}

// setVMIPhase plays virt-handler: it moves a VMI to phase.
func setVMIPhase(t *testing.T, c clients, ns, name string, phase virtv1.VirtualMachineInstancePhase) {
	t.Helper()
	eventually(t, 10*time.Second, "set phase of vmi "+name, func() error {
		vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		// As virt-handler, report Running only for a VMI whose launcher pod
		// virt-controller made: a Running VMI without a pod is failed.
		if (phase == virtv1.Running || phase == virtv1.Scheduled) &&
			(vmi.Status.Phase == virtv1.VmPhaseUnset || vmi.Status.Phase == virtv1.Pending) {
			return fmt.Errorf("vmi %s is %q: no launcher pod yet", name, vmi.Status.Phase)
		}
		vmi.Status.Phase = phase
		now := metav1.Now()
		vmi.Status.PhaseTransitionTimestamps = append(vmi.Status.PhaseTransitionTimestamps,
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: phase, PhaseTransitionTimestamp: &now})
		if phase == virtv1.Running {
			vmi.Status.Conditions = append(vmi.Status.Conditions, virtv1.VirtualMachineInstanceCondition{
				Type: virtv1.VirtualMachineInstanceReady, Status: string(corev1.ConditionTrue)})
		}
		_, err = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Update(context.Background(), vmi, metav1.UpdateOptions{})
		return err
	})
}

func getVMI(c clients, ns, name string) (*virtv1.VirtualMachineInstance, error) {
	return c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Get(context.Background(), name, metav1.GetOptions{})
}

func vmiPhase(c clients, ns, name string, want virtv1.VirtualMachineInstancePhase) func() error {
	return func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		if vmi.Status.Phase != want {
			return fmt.Errorf("phase %q (reason %q)", vmi.Status.Phase, vmi.Status.Reason)
		}
		return nil
	}
}

func gone(get func() error) func() error {
	return func() error {
		err := get()
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			return fmt.Errorf("still there")
		}
		return err
	}
}

// freeAddress returns a loopback address with a port free right now.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

func testVMI(ns, name string) *virtv1.VirtualMachineInstance {
	guest := "128Mi"
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	q := mustQuantity(guest)
	vmi.Spec.Domain.Memory = &virtv1.Memory{Guest: &q}
	vmi.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "containerdisk", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
	vmi.Spec.Volumes = []virtv1.Volume{{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: "registry:5000/kubevirt/cirros-container-disk-demo:devel"}}}
	return vmi
}
