package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// guestHTTPPage is what the test guest's httpd serves on port 80 (hack/guest/init).
const guestHTTPPage = "kvirt test guest"

// serviceTimeout bounds how long a new Service (endpoints, kube-proxy rules)
// takes to reach the guest.
const serviceTimeout = 3 * time.Minute

// alwaysTestVM applies the test VM with runStrategy Always in ns, after
// mutate edits its manifest, and waits for its VMI to run.
func alwaysTestVM(t *testing.T, ns string, mutate func(string) string) *virtv1.VirtualMachineInstance {
	t.Helper()
	m := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	if mutate != nil {
		m = mutate(m)
	}
	if out, errOut, err := kubectl(t, m, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	return waitRunning(t, ns, "testvm")
}

// clientPod starts a pod that runs busybox (the launcher's image has it) in
// namespace ns, for fetching pages from inside the cluster, and returns its name.
func clientPod(t *testing.T, ns, image string) string {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "client", Namespace: ns},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers: []corev1.Container{{
				Name: "client", Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"/bin/busybox", "sleep", "3600"},
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](107),
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
			}},
		},
	}
	if _, err := e.kube.CoreV1().Pods(ns).Create(ctx(t), pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create client pod: %v", err)
	}
	poll.Eventually(t, startTimeout, "client pod running", func() error {
		p, err := e.kube.CoreV1().Pods(ns).Get(ctx(t), pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != corev1.PodRunning {
			return fmt.Errorf("phase %s", p.Status.Phase)
		}
		return nil
	})
	return pod.Name
}

// fetchFrom polls GET url from inside the client pod until the page contains want.
// busybox's own timeout bounds each try: its wget -T dies of SIGSEGV in the
// launcher image.
func fetchFrom(t *testing.T, ns, pod, url, want string) {
	t.Helper()
	poll.Eventually(t, serviceTimeout, "GET "+url+" from "+ns+"/"+pod, func() error {
		out, errOut, err := kubectl(t, "", "-n", ns, "exec", pod, "--", "/bin/busybox", "timeout", "10",
			"/bin/busybox", "wget", "-q", "-O", "-", url)
		if err != nil {
			return fmt.Errorf("%w: %s%s", err, out, errOut)
		}
		if !strings.Contains(out, want) {
			return fmt.Errorf("page %q does not contain %q", out, want)
		}
		return nil
	})
}

func nodeInternalIP(t *testing.T, name string) string {
	t.Helper()
	node, err := e.kube.CoreV1().Nodes().Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	t.Fatalf("node %s has no InternalIP", name)
	return ""
}

// TestExposeReachesTheGuest: `virtctl expose vm` makes a ClusterIP Service and
// `virtctl expose vmi --type NodePort` a NodePort one; a pod in another
// namespace fetches the guest's web page on port 80 through both (the
// Service's ClusterIP and the node's address with the node port).
func TestExposeReachesTheGuest(t *testing.T) {
	ns := newNamespace(t)
	vmi := alwaysTestVM(t, ns, nil)
	consoleUntil(t, ns, "testvm", "KVIRT-GUEST-HTTPD 80")
	if out, err := virtctl(t, "-n", ns, "expose", "vm", "testvm", "--name", "web", "--port", "8080", "--target-port", "80"); err != nil ||
		!strings.Contains(out, "Service web successfully created for vm testvm") {
		t.Fatalf("virtctl expose vm: %v\n%s", err, out)
	}
	if out, err := virtctl(t, "-n", ns, "expose", "vmi", "testvm", "--name", "web-np", "--port", "80", "--type", "NodePort"); err != nil {
		t.Fatalf("virtctl expose vmi: %v\n%s", err, out)
	}
	svc, err := e.kube.CoreV1().Services(ns).Get(ctx(t), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.Selector[virtv1.VirtualMachineInstanceIDLabel] != "testvm" || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Fatalf("service web: selector %v, type %s", svc.Spec.Selector, svc.Spec.Type)
	}
	np, err := e.kube.CoreV1().Services(ns).Get(ctx(t), "web-np", metav1.GetOptions{})
	if err != nil || len(np.Spec.Ports) != 1 || np.Spec.Ports[0].NodePort == 0 {
		t.Fatalf("service web-np: %+v %v", np, err)
	}

	clientNS := newNamespace(t)
	image := launcherPod(t, vmi).Spec.Containers[0].Image
	client := clientPod(t, clientNS, image)
	// the local cluster runs no cluster DNS: the Service's ClusterIP
	fetchFrom(t, clientNS, client, "http://"+svc.Spec.ClusterIP+":8080/", guestHTTPPage)
	addr := nodeInternalIP(t, vmi.Status.NodeName) + ":" + strconv.Itoa(int(np.Spec.Ports[0].NodePort))
	fetchFrom(t, clientNS, client, "http://"+addr+"/", guestHTTPPage)
}

// TestLinkStateDownAfterRestart: setting state down on the running test VM's
// interface and restarting it (the domain is defined once, so a restart
// applies the change) shows linkState down in the new VMI's status and the
// guest sees no carrier on eth0.
func TestLinkStateDownAfterRestart(t *testing.T) {
	ns := newNamespace(t)
	first := alwaysTestVM(t, ns, nil)
	consoleUntil(t, ns, "testvm", "KVIRT-LINK eth0 up")
	patch := `[{"op":"add","path":"/spec/template/spec/domain/devices/interfaces/0/state","value":"down"}]`
	if out, errOut, err := kubectl(t, "", "-n", ns, "patch", "vm", "testvm", "--type", "json", "-p", patch); err != nil {
		t.Fatalf("kubectl patch: %v\n%s%s", err, out, errOut)
	}
	if out, err := virtctl(t, "-n", ns, "restart", "testvm"); err != nil {
		t.Fatalf("virtctl restart: %v\n%s", err, out)
	}
	waitVMI(t, ns, "testvm", startTimeout, "restarted with linkState down", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == first.UID || v.Status.Phase != virtv1.Running || len(v.Status.Interfaces) == 0 ||
			v.Status.Interfaces[0].LinkState != "down" {
			return fmt.Errorf("uid %s (first %s), phase %s, interfaces %+v", v.UID, first.UID, v.Status.Phase, v.Status.Interfaces)
		}
		return nil
	})
	consoleUntil(t, ns, "testvm", "KVIRT-LINK eth0 down")
}
