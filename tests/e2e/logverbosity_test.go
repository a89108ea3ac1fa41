package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kvirt.io/kvirt/tests/framework/poll"
)

// TestVirtctlLogVerbosity: `virtctl adm log-verbosity --virt-handler=5` patches
// the KubeVirt CR, prints it back, and every virt-handler takes the level
// without a restart (it logs the change); --reset clears it again.
func TestVirtctlLogVerbosity(t *testing.T) {
	t.Cleanup(func() {
		// Not virtctl(t, ...): the test's context is over by cleanup time.
		out, err := exec.Command(e.virtctl, "--kubeconfig", e.kubeconfig, "adm", "log-verbosity", "--reset").CombinedOutput()
		if err != nil {
			t.Errorf("virtctl adm log-verbosity --reset: %v\n%s", err, out)
		}
	})
	if out, err := virtctl(t, "adm", "log-verbosity", "--virt-handler=5"); err != nil {
		t.Fatalf("virtctl adm log-verbosity --virt-handler=5: %v\n%s", err, out)
	}
	out, err := virtctl(t, "adm", "log-verbosity", "--virt-handler")
	if err != nil || strings.TrimSpace(out) != "virt-handler = 5" {
		t.Fatalf("virtctl adm log-verbosity --virt-handler: %q %v, want virt-handler = 5", out, err)
	}
	kv, err := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace).Get(ctx(t), "kubevirt", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lv := kv.Spec.Configuration.DeveloperConfiguration.LogVerbosity
	if lv == nil || lv.VirtHandler == nil || *lv.VirtHandler != 5 {
		t.Fatalf("KubeVirt logVerbosity = %+v, want virtHandler 5", lv)
	}
	// virt-handler reads the CR every 30s; give it several rounds.
	poll.Eventually(t, 3*time.Minute, "every virt-handler logs its new verbosity", func() error {
		for _, p := range handlerPods(t) {
			logs, err := e.kube.CoreV1().Pods(kvirtNamespace).GetLogs(p.Name, &corev1.PodLogOptions{}).DoRaw(ctx(t))
			if err != nil {
				return fmt.Errorf("logs of %s: %w", p.Name, err)
			}
			if !strings.Contains(string(logs), `"log verbosity changed"`) || !strings.Contains(string(logs), `"verbosity":5`) {
				return fmt.Errorf("%s has not logged the change to 5", p.Name)
			}
		}
		return nil
	})
	if out, err := virtctl(t, "adm", "log-verbosity", "--reset"); err != nil {
		t.Fatalf("virtctl adm log-verbosity --reset: %v\n%s", err, out)
	}
	out, err = virtctl(t, "adm", "log-verbosity")
	if err != nil || !strings.Contains(out, "virt-handler = 0\n") {
		t.Errorf("after --reset: %q %v, want virt-handler = 0", out, err)
	}
}
