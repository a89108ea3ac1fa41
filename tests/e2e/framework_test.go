package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virtctl/console"
	"kvirt.io/kvirt/tests/framework/poll"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// Guest console markers printed by hack/guest/init.
const (
	markerBooted   = "KVIRT-GUEST-BOOTED"
	markerCIData   = "KVIRT-GUEST-CIDATA"
	markerUserData = "printed from cloud-init userdata"
	// imagePlaceholder is the containerDisk image named in docs/examples.
	imagePlaceholder = "kvirt.local/test-guest-containerdisk:devel"
	kvirtNamespace   = "kubevirt"
)

// Deadlines: guests run under TCG on two shared cores.
const (
	startTimeout   = 4 * time.Minute
	consoleTimeout = 3 * time.Minute
	stopTimeout    = 2 * time.Minute
)

func ctx(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

// newNamespace creates a namespace for one test and deletes it afterwards.
func newNamespace(t *testing.T) string {
	t.Helper()
	// A namespace is an RFC 1123 label: subtest names (spaces become "_")
	// keep only lower-case letters, digits and dashes.
	name := "e2e-" + strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, strings.ToLower(t.Name()))
	if len(name) > 50 {
		name = name[:50]
	}
	name = strings.TrimSuffix(name, "-") + "-" + rand.String(4)
	_, err := e.kube.CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpNamespace(t, name)
		}
		_ = e.kube.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

// dumpNamespace logs what a failed test leaves behind, to say why.
func dumpNamespace(t *testing.T, ns string) {
	for _, args := range [][]string{
		{"-n", ns, "get", "vm,vmi,pods", "-o", "wide"},
		{"-n", ns, "get", "vmi", "-o", "yaml"},
		{"-n", ns, "get", "events", "--sort-by=.lastTimestamp"},
		{"-n", kvirtNamespace, "get", "pods", "-o", "wide"},
	} {
		out, _, _ := kubectl(t, "", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), out)
	}
}

// kubectl runs the pinned kubectl against the cluster with stdin.
func kubectl(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), e.kubectl, append([]string{"--kubeconfig", e.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// example reads a manifest of docs/examples with the test guest's image in place
// of the placeholder.
func example(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.root, "docs/examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(raw), imagePlaceholder, e.guestDisk)
}

func getVMI(t *testing.T, ns, name string) (*virtv1.VirtualMachineInstance, error) {
	t.Helper()
	return e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Get(ctx(t), name, metav1.GetOptions{})
}

// waitVMI polls the VMI until cond holds and returns it.
func waitVMI(t *testing.T, ns, name string, timeout time.Duration, what string,
	cond func(*virtv1.VirtualMachineInstance) error) *virtv1.VirtualMachineInstance {
	t.Helper()
	var vmi *virtv1.VirtualMachineInstance
	poll.Eventually(t, timeout, fmt.Sprintf("VMI %s/%s %s", ns, name, what), func() error {
		v, err := getVMI(t, ns, name)
		if err != nil {
			return err
		}
		vmi = v
		return cond(v)
	})
	return vmi
}

func inPhase(phase virtv1.VirtualMachineInstancePhase) func(*virtv1.VirtualMachineInstance) error {
	return func(v *virtv1.VirtualMachineInstance) error {
		if v.Status.Phase != phase {
			return fmt.Errorf("phase %q (reason %q, conditions %v)", v.Status.Phase, v.Status.Reason, v.Status.Conditions)
		}
		return nil
	}
}

func waitRunning(t *testing.T, ns, name string) *virtv1.VirtualMachineInstance {
	t.Helper()
	return waitVMI(t, ns, name, startTimeout, "Running", inPhase(virtv1.Running))
}

func waitVMIGone(t *testing.T, ns, name string) {
	t.Helper()
	poll.Eventually(t, stopTimeout, fmt.Sprintf("VMI %s/%s deleted", ns, name), func() error {
		v, err := getVMI(t, ns, name)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("still there, phase %q", v.Status.Phase)
	})
}

// consoleUntil reads the VMI's serial console through the apiserver and virt-api
// until every wanted text appeared; it returns the output.
func consoleUntil(t *testing.T, ns, name string, want ...string) string {
	t.Helper()
	return consoleUntilFunc(t, ns, name, fmt.Sprintf("%q", want), func(out string) bool { return containsAll(out, want) })
}

// consoleUntilFunc is consoleUntil until done accepts the output read (what
// names it in a failure).
func consoleUntilFunc(t *testing.T, ns, name, what string, done func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(consoleTimeout)
	var (
		out     string
		lastErr error
	)
	for time.Now().Before(deadline) {
		ws, err := console.Dial(e.config, ns, name, 30*time.Second)
		if err != nil {
			lastErr = err
			time.Sleep(time.Second)
			continue
		}
		// One read loop for all wanted texts: a message can hold several of
		// them, and a later one may come in the same message as an earlier one.
		_ = ws.SetReadDeadline(deadline)
		for !done(out) {
			var msg []byte
			if _, msg, err = ws.ReadMessage(); err != nil {
				err = fmt.Errorf("read console: %w", err)
				break
			}
			out += string(msg)
		}
		_ = ws.Close()
		if err == nil {
			return out
		}
		lastErr = err
	}
	t.Fatalf("console of %s/%s never showed %s: %v; output so far:\n%s", ns, name, what, lastErr, out)
	return ""
}

// containsAll reports whether s contains every one of want.
func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// qemuPID finds the VMI's QEMU process on this host by its guest name
// (namespace_name, as the launcher names domains).
func qemuPID(ns, name string) (int, error) {
	want := "guest=" + ns + "_" + name
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(filepath.Base(string(bytes.SplitN(raw, []byte{0}, 2)[0])), "qemu") {
			continue
		}
		for _, arg := range bytes.Split(raw, []byte{0}) {
			if s := string(arg); s == want || strings.HasPrefix(s, want+",") {
				return strconv.Atoi(filepath.Base(filepath.Dir(p)))
			}
		}
	}
	return 0, errors.New("no QEMU process named " + want)
}

func waitQEMU(t *testing.T, ns, name string) int {
	t.Helper()
	var pid int
	poll.Eventually(t, time.Minute, "QEMU of "+ns+"/"+name, func() error {
		var err error
		pid, err = qemuPID(ns, name)
		return err
	})
	return pid
}

// pauseUnpause pauses and unpauses through the subresource API and waits for the
// Paused condition to come and go.
func pauseUnpause(t *testing.T, ns, name string) {
	t.Helper()
	if err := e.sub.PauseVMI(ctx(t), ns, name, &virtv1.PauseOptions{}); err != nil {
		t.Fatalf("pause: %v", err)
	}
	waitVMI(t, ns, name, time.Minute, "Paused", func(v *virtv1.VirtualMachineInstance) error {
		if c := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused); c == nil || c.Status != string(corev1.ConditionTrue) {
			return fmt.Errorf("conditions %v", v.Status.Conditions)
		}
		return nil
	})
	if err := e.sub.UnpauseVMI(ctx(t), ns, name, &virtv1.UnpauseOptions{}); err != nil {
		t.Fatalf("unpause: %v", err)
	}
	waitVMI(t, ns, name, time.Minute, "not Paused", func(v *virtv1.VirtualMachineInstance) error {
		if c := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused); c != nil && c.Status == string(corev1.ConditionTrue) {
			return fmt.Errorf("still paused: %v", v.Status.Conditions)
		}
		return nil
	})
}

// updateKubeVirt applies mutate to the KubeVirt CR, retrying a conflict with
// the operator's status writes a few times.
func updateKubeVirt(c context.Context, mutate func(*virtv1.KubeVirt)) error {
	kvs := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace)
	var err error
	for range 5 {
		var kv *virtv1.KubeVirt
		if kv, err = kvs.Get(c, "kubevirt", metav1.GetOptions{}); err != nil {
			continue
		}
		mutate(kv)
		if _, err = kvs.Update(c, kv, metav1.UpdateOptions{}); err == nil {
			return nil
		}
	}
	return err
}
