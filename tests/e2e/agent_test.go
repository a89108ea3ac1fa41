package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
)

// agentTimeout bounds how long the test guest's qemu-ga takes to connect.
const agentTimeout = 5 * time.Minute

// readinessVM is the test VM with an exec readiness probe run through the
// guest agent: it passes once user data created /run/kvirt-ready, 30 s after
// boot, so Ready is first False and then True.
func readinessVM(t *testing.T) string {
	t.Helper()
	m := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	m = strings.Replace(m, "      terminationGracePeriodSeconds: 30\n", `      terminationGracePeriodSeconds: 30
      readinessProbe:
        exec:
          command: ["/bin/test", "-e", "/run/kvirt-ready"]
        periodSeconds: 2
        failureThreshold: 1
        timeoutSeconds: 5
`, 1)
	m = strings.Replace(m, "            echo 'printed from cloud-init userdata'\n",
		"            echo 'printed from cloud-init userdata'\n            (sleep 30; touch /run/kvirt-ready) &\n", 1)
	return m
}

func condition(v *virtv1.VirtualMachineInstance, typ virtv1.VirtualMachineInstanceConditionType) *virtv1.VirtualMachineInstanceCondition {
	for i := range v.Status.Conditions {
		if v.Status.Conditions[i].Type == typ {
			return &v.Status.Conditions[i]
		}
	}
	return nil
}

func virtctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	raw, err := exec.CommandContext(ctx(t), e.virtctl, append([]string{"--kubeconfig", e.kubeconfig}, args...)...).CombinedOutput()
	return string(raw), err
}

// TestGuestAgent: the test guest's qemu-ga connects (kubectl shows the
// AgentConnected condition), an exec readiness probe through the agent gates
// Ready, virtctl guestosinfo prints the guest's OS name, fslist lists the
// freezable /data, and freeze/unfreeze show in fsFreezeStatus.
func TestGuestAgent(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, readinessVM(t), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	waitVMI(t, ns, "testvm", startTimeout+agentTimeout, "agent connected, not ready yet", func(v *virtv1.VirtualMachineInstance) error {
		a, r := condition(v, virtv1.VirtualMachineInstanceAgentConnected), condition(v, virtv1.VirtualMachineInstanceReady)
		if v.Status.Phase != virtv1.Running || a == nil || a.Status != "True" || r == nil || r.Status != "False" {
			return fmt.Errorf("phase %s, conditions %v", v.Status.Phase, v.Status.Conditions)
		}
		return nil
	})
	out, _, err := kubectl(t, "", "-n", ns, "get", "vmi", "testvm", "-o",
		`jsonpath={.status.conditions[?(@.type=="AgentConnected")].status}`)
	if err != nil || strings.TrimSpace(out) != "True" {
		t.Errorf("kubectl get vmi AgentConnected: %q %v", out, err)
	}
	waitVMI(t, ns, "testvm", 2*time.Minute, "Ready once the probe passes", func(v *virtv1.VirtualMachineInstance) error {
		if r := condition(v, virtv1.VirtualMachineInstanceReady); r == nil || r.Status != "True" {
			return fmt.Errorf("conditions %v", v.Status.Conditions)
		}
		return nil
	})

	got, err := virtctl(t, "-n", ns, "guestosinfo", "testvm")
	var info virtv1.VirtualMachineInstanceGuestAgentInfo
	if err != nil || json.Unmarshal([]byte(got), &info) != nil || info.OS.Name != "kvirt test guest" {
		t.Fatalf("virtctl guestosinfo: %v\n%s", err, got)
	}
	if got, err := virtctl(t, "-n", ns, "fslist", "testvm"); err != nil || !strings.Contains(got, `"mountPoint": "/data"`) {
		t.Errorf("virtctl fslist: %v\n%s", err, got)
	}
	if got, err := virtctl(t, "-n", ns, "userlist", "testvm"); err != nil || !strings.Contains(got, `"items"`) {
		t.Errorf("virtctl userlist: %v\n%s", err, got)
	}
	if got, err := virtctl(t, "-n", ns, "freeze", "--unfreeze-timeout", "10m", "testvm"); err != nil {
		t.Fatalf("virtctl freeze: %v\n%s", err, got)
	}
	waitVMI(t, ns, "testvm", time.Minute, "frozen", func(v *virtv1.VirtualMachineInstance) error {
		if v.Status.FsFreezeStatus != "frozen" {
			return fmt.Errorf("fsFreezeStatus %q", v.Status.FsFreezeStatus)
		}
		return nil
	})
	if got, err := virtctl(t, "-n", ns, "unfreeze", "testvm"); err != nil {
		t.Fatalf("virtctl unfreeze: %v\n%s", err, got)
	}
	waitVMI(t, ns, "testvm", time.Minute, "thawed", func(v *virtv1.VirtualMachineInstance) error {
		if v.Status.FsFreezeStatus != "" {
			return fmt.Errorf("fsFreezeStatus %q", v.Status.FsFreezeStatus)
		}
		return nil
	})
}
