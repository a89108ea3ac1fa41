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

// vmCondition checks the VM's condition typ has reason and message.
func vmCondition(c clients, ns, name string, typ virtv1.VirtualMachineConditionType, reason, message string) func() error {
	return func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		for _, cond := range vm.Status.Conditions {
			if cond.Type == typ {
				if cond.Reason != reason || cond.Message != message || cond.Status != string(corev1.ConditionFalse) {
					return fmt.Errorf("condition %s: %s %s %q", typ, cond.Status, cond.Reason, cond.Message)
				}
				return nil
			}
		}
		return fmt.Errorf("no %s condition in %+v", typ, vm.Status.Conditions)
	}
}

// TestUnpullableContainerDiskShowsOnTheVM plays the kubelet failing to pull a
// containerDisk image: the VM shows ErrImagePull, then ImagePullBackOff, with the
// kubelet's message on the VMI's and the VM's Synchronized condition, and goes
// back to Starting once the image arrives.
func TestUnpullableContainerDiskShowsOnTheVM(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	name := "unpullable"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(context.Background(), testVM(ns, name, virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	uid := vmiUID(t, c, ns, name, "")
	pod := launcherPod(t, c, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid}})
	eventually(t, 10*time.Second, "Starting", printable(c, ns, name, virtv1.VirtualMachineStatusStarting))

	const pullMsg = `failed to pull and unpack image "kvirt.local/does-not-exist:1": not found`
	// containerDisks are copied by init containers (launcherpod): the helper copy
	// finished, the disk's image is the one the kubelet cannot pull.
	waitingIn := func(reason, msg string) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodPending
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}}
			p.Status.InitContainerStatuses = nil
			for i, ctr := range p.Spec.InitContainers {
				st := corev1.ContainerStatus{Name: ctr.Name, Image: ctr.Image,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}
				switch {
				case i == 0:
					st.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
				case ctr.Name == "volumecontainerdisk" && reason != "":
					st.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: msg}
				}
				p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, st)
			}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "compute", Image: p.Spec.Containers[0].Image,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}}
		}
	}
	// The last one is the guest-console-log sidecar (serial console logged by
	// default, as upstream), which waits like the compute container.
	if len(pod.Spec.InitContainers) != 3 || pod.Spec.InitContainers[1].Name != "volumecontainerdisk" ||
		pod.Spec.InitContainers[2].Name != "guest-console-log" {
		t.Fatalf("init containers %d, want the helper copy, volumecontainerdisk and guest-console-log", len(pod.Spec.InitContainers))
	}
	// the scheduler's part; the kubelet's follows
	if err := c.kube.CoreV1().Pods(ns).Bind(context.Background(), &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: ns},
		Target:     corev1.ObjectReference{Kind: "Node", Name: "node01"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	setPodStatus(t, c, ns, pod.Name, waitingIn("ErrImagePull", pullMsg))
	eventually(t, 10*time.Second, "ErrImagePull", printable(c, ns, name, virtv1.VirtualMachineStatusErrImagePull))
	eventually(t, 10*time.Second, "the kubelet's message on the VM", vmCondition(c, ns, name, "Synchronized", "ErrImagePull", pullMsg))
	vmi, err := getVMI(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if vmi.Status.Phase != virtv1.Scheduling {
		t.Errorf("VMI phase %s, want Scheduling", vmi.Status.Phase)
	}
	if len(vmi.Status.Conditions) != 1 || vmi.Status.Conditions[0].Reason != "ErrImagePull" || vmi.Status.Conditions[0].Message != pullMsg {
		t.Errorf("VMI conditions %+v, want Synchronized=False ErrImagePull with the kubelet's message", vmi.Status.Conditions)
	}

	backoff := `Back-off pulling image "kvirt.local/does-not-exist:1"`
	setPodStatus(t, c, ns, pod.Name, waitingIn("ImagePullBackOff", backoff))
	eventually(t, 10*time.Second, "ImagePullBackOff", printable(c, ns, name, virtv1.VirtualMachineStatusImagePullBackOff))
	eventually(t, 10*time.Second, "back-off message on the VM", vmCondition(c, ns, name, "Synchronized", "ImagePullBackOff", backoff))

	setPodStatus(t, c, ns, pod.Name, waitingIn("", ""))
	eventually(t, 10*time.Second, "Starting once pulled", printable(c, ns, name, virtv1.VirtualMachineStatusStarting))
	eventually(t, 10*time.Second, "condition gone", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		for _, cond := range vm.Status.Conditions {
			if cond.Type == "Synchronized" {
				return fmt.Errorf("still %+v", cond)
			}
		}
		return nil
	})
}
