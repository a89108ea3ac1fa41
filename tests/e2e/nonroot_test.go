package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"kvirt.io/kvirt/tests/framework/poll"
)

// capNetBindService is CAP_NET_BIND_SERVICE's bit in /proc/<pid>/status CapEff.
const capNetBindService = uint64(1) << 10

// TestRestrictedNamespaceRunsNonRootLauncher: a namespace enforcing Pod Security
// "restricted" admits the launcher pod of a VM with a containerDisk and the pod
// network through masquerade, and the VM runs; status.runtimeUser is 107 and
// every process of the pod (virt-launcher with libvirt embedded, QEMU, the
// console log sidecar) runs as UID 107, QEMU without effective capabilities
// (NET_BIND_SERVICE at most). It reads the processes through kubectl exec and
// does not wait for the guest's console.
func TestRestrictedNamespaceRunsNonRootLauncher(t *testing.T) {
	restrictedLauncher(t, "")
}

// TestRestrictedNamespaceRunsBridgeLauncher: the same with a bridge binding on
// the pod network, which virt-handler builds: no NET_ADMIN or SYS_ADMIN in the
// launcher pod, which runs as 107 in a "restricted" namespace.
func TestRestrictedNamespaceRunsBridgeLauncher(t *testing.T) {
	restrictedLauncher(t, "bridge")
}

func restrictedLauncher(t *testing.T, binding string) {
	ns := newNamespace(t)
	labels := `{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted",` +
		`"pod-security.kubernetes.io/enforce-version":"latest"}}}`
	if _, err := e.kube.CoreV1().Namespaces().Patch(ctx(t), ns, types.MergePatchType, []byte(labels),
		metav1.PatchOptions{}); err != nil {
		t.Fatalf("label namespace restricted: %v", err)
	}
	manifest := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	if binding != "" {
		manifest = strings.Replace(manifest, "masquerade: {}", binding+": {}", 1)
	}
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	vmi := waitRunning(t, ns, "testvm")
	if vmi.Status.RuntimeUser != 107 {
		t.Errorf("status.runtimeUser = %d, want 107", vmi.Status.RuntimeUser)
	}
	pod := launcherPod(t, vmi)
	if sc := pod.Spec.SecurityContext; sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 107 {
		t.Errorf("launcher pod security context %+v, want runAsUser 107", pod.Spec.SecurityContext)
	}
	for _, c := range pod.Spec.Containers {
		if sc := c.SecurityContext; sc != nil && sc.Capabilities != nil {
			for _, capability := range sc.Capabilities.Add {
				if capability == "NET_ADMIN" || capability == "SYS_ADMIN" {
					t.Errorf("container %s adds %s", c.Name, capability)
				}
			}
		}
	}
	waitQEMUInPod(t, ns, pod.Name)
	out, errOut, err := kubectl(t, "", "-n", ns, "exec", pod.Name, "-c", "compute", "--", "/bin/busybox", "sh", "-c",
		`for f in /proc/[0-9]*/status; do echo "== $f"; /bin/busybox cat "$f"; done`)
	if err != nil {
		t.Fatalf("kubectl exec: %v\n%s%s", err, out, errOut)
	}
	procs := parseProcStatus(out)
	t.Logf("launcher pod processes: %s", summarize(procs))
	checkPodProcesses(t, procs)
}

// waitQEMUInPod waits until the compute container sees a QEMU process.
func waitQEMUInPod(t *testing.T, ns, pod string) {
	t.Helper()
	poll.Eventually(t, startTimeout, "QEMU in pod "+pod, func() error {
		out, errOut, err := kubectl(t, "", "-n", ns, "exec", pod, "-c", "compute", "--", "/bin/busybox", "sh", "-c",
			`/bin/busybox cat /proc/[0-9]*/comm`)
		if err != nil {
			return fmt.Errorf("kubectl exec: %w: %s", err, errOut)
		}
		if !strings.Contains(out, "qemu") {
			return fmt.Errorf("processes: %s", strings.Join(strings.Fields(out), " "))
		}
		return nil
	})
}

// procStatus is what the test reads of /proc/<pid>/status.
type procStatus struct {
	path, name string
	uids, gids []string
	capEff     uint64
}

func parseProcStatus(out string) []procStatus {
	var procs []procStatus
	for _, block := range strings.Split(out, "== ")[1:] {
		lines := strings.Split(block, "\n")
		p := procStatus{path: strings.TrimSpace(lines[0])}
		for _, l := range lines[1:] {
			key, val, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			switch key {
			case "Name":
				p.name = val
			case "Uid":
				p.uids = strings.Fields(val)
			case "Gid":
				p.gids = strings.Fields(val)
			case "CapEff":
				p.capEff, _ = strconv.ParseUint(val, 16, 64)
			}
		}
		if p.name != "" { // a process that exited while being read has no status
			procs = append(procs, p)
		}
	}
	return procs
}

func summarize(procs []procStatus) string {
	var parts []string
	for _, p := range procs {
		parts = append(parts, fmt.Sprintf("%s uid=%v capEff=%#x", p.name, p.uids, p.capEff))
	}
	return strings.Join(parts, "; ")
}

// checkPodProcesses: every process runs as 107 (real, effective, saved and
// filesystem UID), but the sandbox's pause process, which the runtime starts
// before the pod's user applies, must only not be root; QEMU runs and has no
// effective capability but NET_BIND_SERVICE.
func checkPodProcesses(t *testing.T, procs []procStatus) {
	t.Helper()
	sawQEMU, sawLauncher := false, false
	for _, p := range procs {
		switch {
		case p.name == "pause":
			if len(p.uids) == 0 || p.uids[0] == "0" {
				t.Errorf("%s (%s) runs as root: uids %v", p.name, p.path, p.uids)
			}
			continue
		case strings.HasPrefix(p.name, "qemu"):
			sawQEMU = true
			if p.capEff&^capNetBindService != 0 {
				t.Errorf("QEMU (%s) has effective capabilities %#x, want 0 or NET_BIND_SERVICE", p.path, p.capEff)
			}
		case p.name == "virt-launcher":
			sawLauncher = true
		}
		for _, id := range append(append([]string{}, p.uids...), p.gids...) {
			if id != "107" {
				t.Errorf("%s (%s) runs with uids %v gids %v, want 107", p.name, p.path, p.uids, p.gids)
				break
			}
		}
	}
	if !sawQEMU || !sawLauncher {
		t.Errorf("want virt-launcher and QEMU among the pod's processes, saw %s", summarize(procs))
	}
}
