package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// TestHandlerMetrics scrapes virt-handler's TLS /metrics through the
// apiserver's pod proxy for a running VM: its CPU time and resident memory
// are there at upstream's names; virt-controller's creation histogram has a
// Running series (a phase only virt-handler writes).
func TestHandlerMetrics(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, example(t, "vm-testguest.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	vmi := waitRunning(t, ns, "testvm")
	handler := handlerPodOn(t, vmi.Status.NodeName)
	series := fmt.Sprintf(`name="testvm",namespace=%q`, ns)
	poll.Eventually(t, 3*time.Minute, "domain stats on virt-handler's /metrics", func() error {
		raw, err := e.kube.CoreV1().Pods(kvirtNamespace).ProxyGet("https", handler, "8443", "metrics", nil).DoRaw(ctx(t))
		if err != nil {
			return fmt.Errorf("scrape %s: %w", handler, err)
		}
		for _, name := range []string{"kubevirt_vmi_cpu_usage_seconds_total", "kubevirt_vmi_memory_resident_bytes"} {
			if !hasSeries(string(raw), name, series) {
				return fmt.Errorf("no %s{%s}", name, series)
			}
		}
		return nil
	})
	poll.Eventually(t, 3*time.Minute, "Running in virt-controller's creation histogram", func() error {
		return controllerReports(t, func(text string) bool {
			return hasSeries(text, "kubevirt_vmi_phase_transition_time_from_creation_seconds_bucket", `phase="Running"`)
		})
	})
	if err := e.sub.StopVM(ctx(t), ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitVMIGone(t, ns, "testvm")
}

// controllerReports scrapes each virt-controller's /metrics through the pod
// proxy and returns nil once one of them (the leader: only it runs the
// collectors) has text that satisfies ok.
func controllerReports(t *testing.T, ok func(text string) bool) error {
	pods, err := e.kube.CoreV1().Pods(kvirtNamespace).List(ctx(t), metav1.ListOptions{LabelSelector: "kubevirt.io=virt-controller"})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		raw, err := e.kube.CoreV1().Pods(kvirtNamespace).ProxyGet("http", p.Name, "8090", "metrics", nil).DoRaw(ctx(t))
		if err == nil && ok(string(raw)) {
			return nil
		}
	}
	return fmt.Errorf("none of %d virt-controller pods reports it", len(pods.Items))
}

// handlerPodOn names the virt-handler pod of node.
func handlerPodOn(t *testing.T, node string) string {
	t.Helper()
	var name string
	poll.Eventually(t, time.Minute, "virt-handler pod on "+node, func() error {
		pods, err := e.kube.CoreV1().Pods(kvirtNamespace).List(ctx(t), metav1.ListOptions{LabelSelector: "kubevirt.io=virt-handler"})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			if p.Spec.NodeName == node && p.Status.Phase == "Running" {
				name = p.Name
				return nil
			}
		}
		return fmt.Errorf("none among %d", len(pods.Items))
	})
	return name
}

// hasSeries reports whether a sample line of name carries every label in labels
// (comma-separated name="value" pairs, as the text format writes them).
func hasSeries(text, name, labels string) bool {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		ok := true
		for _, l := range strings.Split(labels, ",") {
			ok = ok && strings.Contains(line, l)
		}
		if ok {
			return true
		}
	}
	return false
}
