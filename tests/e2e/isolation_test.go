package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// kubeletPodsDir is where the local cluster's kubelet keeps pod volumes.
const kubeletPodsDir = "/var/lib/kubelet/pods"

// launcherPodOf is the VMI's launcher pod.
func launcherPodOf(t *testing.T, vmi *virtv1.VirtualMachineInstance) corev1.Pod {
	t.Helper()
	pods, err := e.kube.CoreV1().Pods(vmi.Namespace).List(ctx(t), metav1.ListOptions{
		LabelSelector: virtv1.CreatedByLabel + "=" + string(vmi.UID)})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("launcher pods of %s/%s: %v (%v)", vmi.Namespace, vmi.Name, pods, err)
	}
	return pods.Items[0]
}

// inCompute runs a busybox shell script in the pod's compute container, as a
// tenant with exec rights on its own pod can.
func inCompute(t *testing.T, pod corev1.Pod, script string) (string, error) {
	t.Helper()
	out, errOut, err := kubectl(t, "", "-n", pod.Namespace, "exec", pod.Name, "-c", "compute", "--",
		"busybox", "sh", "-c", script)
	return out + errOut, err
}

// restartHandlers deletes every virt-handler pod and waits for a new one to
// be Ready.
func restartHandlers(t *testing.T) {
	t.Helper()
	old := map[types.UID]bool{}
	for _, p := range handlerPods(t) {
		old[p.UID] = true
		if err := e.kube.CoreV1().Pods(kvirtNamespace).Delete(ctx(t), p.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete handler pod: %v", err)
		}
	}
	waitHandlerReady(t, 3*time.Minute, old)
}

// TestTenantIsolation: from inside tenant A's launcher, nothing reaches tenant
// B's VM. There is no notify socket to connect to; A's libvirt cache is A's
// own; replacing A's command socket with a symlink (absolute, then relative,
// each with a fresh tenant A) to B's socket makes a restarted virt-handler
// refuse A's launcher rather than drive B's through it. B keeps running in
// the same QEMU and launcher pod, and its pause/unpause still work.
func TestTenantIsolation(t *testing.T) {
	nsB := newNamespace(t)
	vmiB, pidB := runningVM(t, nsB)
	podB := launcherPodOf(t, vmiB)
	socketB := kubeletPodsDir + "/" + string(podB.UID) + "/volumes/kubernetes.io~empty-dir/kvirt-sockets/launcher.sock"
	// A's socket dir is <pods>/<uid A>/volumes/kubernetes.io~empty-dir/kvirt-sockets.
	relB := "../../../../" + string(podB.UID) + "/volumes/kubernetes.io~empty-dir/kvirt-sockets/launcher.sock"
	for _, tc := range []struct{ name, link string }{{"absolute symlink", socketB}, {"relative symlink", relB}} {
		t.Run(tc.name, func(t *testing.T) {
			nsA := newNamespace(t)
			vmiA, _ := runningVM(t, nsA)
			podA := launcherPodOf(t, vmiA)
			noSharedPaths(t, podA, podB)
			if out, err := inCompute(t, podA, "mv /var/run/kvirt/launcher.sock /var/run/kvirt/launcher.sock.orig && "+
				"ln -s '"+tc.link+"' /var/run/kvirt/launcher.sock"); err != nil {
				t.Fatalf("replace A's socket with a symlink to %s: %v\n%s", tc.link, err, out)
			}
			restartHandlers(t)
			refusedA(t, vmiA)
			untouchedB(t, vmiB, podB, pidB)
		})
	}
	pauseUnpause(t, nsB, "testvm")
	untouchedB(t, vmiB, podB, pidB)
}

// noSharedPaths: neither launcher pod mounts a hostPath, A sees no notify
// socket, and what A writes to its libvirt cache does not show in B's.
func noSharedPaths(t *testing.T, podA, podB corev1.Pod) {
	t.Helper()
	for _, pod := range []corev1.Pod{podA, podB} {
		for _, v := range pod.Spec.Volumes {
			if v.HostPath != nil {
				t.Errorf("launcher pod %s/%s mounts hostPath %s", pod.Namespace, pod.Name, v.HostPath.Path)
			}
		}
	}
	out, err := inCompute(t, podA, `find / -xdev -type s 2>/dev/null; ls -d /var/run/kvirt-notify /var/run/kvirt/notify 2>/dev/null; true`)
	if err != nil {
		t.Fatalf("exec in A: %v\n%s", err, out)
	}
	for _, line := range strings.Fields(out) {
		if strings.Contains(line, "notify") {
			t.Errorf("tenant A sees a notify socket or directory: %s", line)
		}
	}
	// the embedded driver's root (its QEMU capabilities cache is below it)
	const cacheDir = "/var/run/kvirt-private/libvirt/cache"
	const marker = cacheDir + "/kvirt-e2e-tenant-a"
	if out, err := inCompute(t, podA, "mkdir -p "+cacheDir+" && echo poisoned > "+marker); err != nil {
		t.Fatalf("write A's cache: %v\n%s", err, out)
	}
	if out, err := inCompute(t, podB, "cat "+marker+" 2>&1 || echo absent"); err != nil || !strings.Contains(out, "absent") {
		t.Fatalf("B's cache shows A's write (%v): %s", err, out)
	}
}

// refusedA waits until the handler showed it will not serve tenant A through
// the symlink: A's pause fails, or A's VMI failed (or was replaced by its VM).
func refusedA(t *testing.T, vmiA *virtv1.VirtualMachineInstance) {
	t.Helper()
	poll.Eventually(t, 3*time.Minute, "tenant A's launcher refused", func() error {
		v, err := getVMI(t, vmiA.Namespace, vmiA.Name)
		if err != nil || v.UID != vmiA.UID || v.Status.Phase != virtv1.Running {
			return nil
		}
		if err := e.sub.PauseVMI(ctx(t), vmiA.Namespace, vmiA.Name, &virtv1.PauseOptions{}); err != nil {
			t.Logf("pause of A refused: %v", err)
			return nil
		}
		return fmt.Errorf("pause of A was accepted (phase %s)", v.Status.Phase)
	})
}

// untouchedB checks tenant B's VM runs in the same launcher pod and QEMU and
// was not paused by anything done to A.
func untouchedB(t *testing.T, vmiB *virtv1.VirtualMachineInstance, podB corev1.Pod, pidB int) {
	t.Helper()
	v, err := getVMI(t, vmiB.Namespace, vmiB.Name)
	if err != nil {
		t.Fatalf("VMI B: %v", err)
	}
	if v.UID != vmiB.UID || v.Status.Phase != virtv1.Running {
		t.Fatalf("VMI B: phase %s uid %s, want Running with uid %s", v.Status.Phase, v.UID, vmiB.UID)
	}
	if c := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused); c != nil && c.Status == string(corev1.ConditionTrue) {
		t.Fatalf("VMI B was paused by an action on A: %+v", c)
	}
	if pod := launcherPodOf(t, v); pod.UID != podB.UID {
		t.Fatalf("B's launcher pod is %s, want the same %s", pod.UID, podB.UID)
	}
	assertAlive(t, pidB, "the attack on B's socket")
	if now, err := qemuPID(vmiB.Namespace, vmiB.Name); err != nil || now != pidB {
		t.Fatalf("B's QEMU pid %d (%v), want the same %d", now, err, pidB)
	}
}
