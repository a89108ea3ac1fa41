package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
)

// withProbe adds probe (YAML at the VMI spec's indentation) and a user-data
// line to the test VM's manifest.
func withProbe(probe, userData string) func(string) string {
	return func(m string) string {
		m = strings.Replace(m, "      terminationGracePeriodSeconds: 30\n", "      terminationGracePeriodSeconds: 30\n"+probe, 1)
		return strings.Replace(m, "            echo 'printed from cloud-init userdata'\n",
			"            echo 'printed from cloud-init userdata'\n"+userData, 1)
	}
}

func readyIs(want string) func(*virtv1.VirtualMachineInstance) error {
	return func(v *virtv1.VirtualMachineInstance) error {
		r := condition(v, virtv1.VirtualMachineInstanceReady)
		if v.Status.Phase != virtv1.Running || r == nil || r.Status != want {
			return fmt.Errorf("phase %s, conditions %v", v.Status.Phase, v.Status.Conditions)
		}
		return nil
	}
}

// TestReadinessProbeOnLatePort: a tcpSocket readiness probe, which the kubelet
// runs against the launcher pod's IP, keeps the running VMI not Ready
// (ReadinessProbeFailed) until the guest opens the port 60 s after its user
// data started; then the VMI is Ready.
func TestReadinessProbeOnLatePort(t *testing.T) {
	ns := newNamespace(t)
	alwaysTestVM(t, ns, withProbe(`      readinessProbe:
        tcpSocket:
          port: 8080
        periodSeconds: 2
        failureThreshold: 1
`, "            (sleep 60; echo KVIRT-E2E-PORT-OPEN; nc -ll -p 8080 -e /bin/true) &\n"))
	waitVMI(t, ns, "testvm", startTimeout, "running, not Ready before the port opens", func(v *virtv1.VirtualMachineInstance) error {
		if err := readyIs("False")(v); err != nil {
			return err
		}
		if r := condition(v, virtv1.VirtualMachineInstanceReady); r.Reason != vmistatus.ReasonReadinessProbe {
			return fmt.Errorf("Ready condition %+v, want reason %s", r, vmistatus.ReasonReadinessProbe)
		}
		return nil
	})
	consoleUntil(t, ns, "testvm", markerUserData, "KVIRT-E2E-PORT-OPEN")
	waitVMI(t, ns, "testvm", 3*time.Minute, "Ready once the port is open", readyIs("True"))
}

// TestLivenessProbeFailsTheVMI: a tcpSocket liveness probe on a port nothing
// listens on makes the kubelet stop the launcher: the VMI ends Failed with
// reason LivenessProbeFailed, and runStrategy Always starts a new VMI.
func TestLivenessProbeFailsTheVMI(t *testing.T) {
	ns := newNamespace(t)
	first := alwaysTestVM(t, ns, withProbe(`      livenessProbe:
        tcpSocket:
          port: 8081
        initialDelaySeconds: 60
        periodSeconds: 5
        failureThreshold: 2
`, ""))
	var failed *virtv1.VirtualMachineInstance
	waitVMI(t, ns, "testvm", startTimeout, "the first VMI failed or replaced", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == first.UID && v.Status.Phase != virtv1.Failed {
			return fmt.Errorf("phase %s", v.Status.Phase)
		}
		if v.UID == first.UID {
			failed = v
		}
		return nil
	})
	if failed != nil && failed.Status.Reason != vmistatus.ReasonLivenessProbe {
		t.Errorf("failed VMI reason %q, want %s", failed.Status.Reason, vmistatus.ReasonLivenessProbe)
	}
	waitVMI(t, ns, "testvm", startTimeout, "a new VMI running (runStrategy Always)", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == first.UID || v.Status.Phase != virtv1.Running {
			return fmt.Errorf("uid %s (first %s), phase %s", v.UID, first.UID, v.Status.Phase)
		}
		return nil
	})
}
