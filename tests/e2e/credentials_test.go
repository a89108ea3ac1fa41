package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
)

// credentialsVM is the test VM pushing the keys of the Secret testvm-keys to
// the guest's kvirt user through the agent, with a readiness probe (through
// the agent too) that passes once marker is in that user's authorized_keys.
func credentialsVM(t *testing.T, marker string) string {
	t.Helper()
	m := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	return strings.Replace(m, "      terminationGracePeriodSeconds: 30\n", `      terminationGracePeriodSeconds: 30
      accessCredentials:
      - sshPublicKey:
          source:
            secret:
              secretName: testvm-keys
          propagationMethod:
            qemuGuestAgent:
              users: ["kvirt"]
      readinessProbe:
        exec:
          command: ["/bin/sh", "-c", "grep -q `+marker+` /home/kvirt/.ssh/authorized_keys"]
        periodSeconds: 2
        failureThreshold: 1
        timeoutSeconds: 5
`, 1)
}

const credentialsSecret = `apiVersion: v1
kind: Secret
metadata:
  name: testvm-keys
stringData:
  first: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvirtE2EFirstKey00000000000000000000000000 first@e2e
`

// TestCredentialsAddSSHKey: a running VM's keys reach the guest through the
// agent (AccessCredentialsSynchronized True), and a key added with `virtctl
// credentials add-ssh-key` lands in the guest user's authorized_keys once the
// kubelet has updated the mounted Secret (the probe that greps for it passes).
func TestCredentialsAddSSHKey(t *testing.T) {
	ns := newNamespace(t)
	const marker = "added-by-virtctl-e2e"
	if out, errOut, err := kubectl(t, credentialsSecret, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply secret: %v\n%s%s", err, out, errOut)
	}
	if out, errOut, err := kubectl(t, credentialsVM(t, marker), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm: %v\n%s%s", err, out, errOut)
	}
	waitVMI(t, ns, "testvm", startTimeout+agentTimeout, "credentials synchronized, not ready yet", func(v *virtv1.VirtualMachineInstance) error {
		s, r := condition(v, virtv1.VirtualMachineInstanceAccessCredentialsSynchronized), condition(v, virtv1.VirtualMachineInstanceReady)
		if v.Status.Phase != virtv1.Running || s == nil || s.Status != "True" || r == nil || r.Status != "False" {
			return fmt.Errorf("phase %s, conditions %v", v.Status.Phase, v.Status.Conditions)
		}
		return nil
	})
	// The Secret is not the VM's own (it was created beforehand): --force.
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvirtE2EAddedKey00000000000000000000000000 " + marker
	if out, err := virtctl(t, "-n", ns, "credentials", "add-ssh-key", "--user", "kvirt", "--value", key,
		"--force", "testvm"); err != nil {
		t.Fatalf("virtctl credentials add-ssh-key: %v\n%s", err, out)
	}
	out, _, err := kubectl(t, "", "-n", ns, "get", "secret", "testvm-keys", "-o", "jsonpath={.data}")
	if err != nil || strings.Count(out, "ssh-key-") != 1 {
		t.Fatalf("secret data after add-ssh-key: %q %v", out, err)
	}
	// The kubelet refreshes a mounted Secret on its sync period (about a minute).
	waitVMI(t, ns, "testvm", 5*time.Minute, "the added key is in the guest", func(v *virtv1.VirtualMachineInstance) error {
		s, r := condition(v, virtv1.VirtualMachineInstanceAccessCredentialsSynchronized), condition(v, virtv1.VirtualMachineInstanceReady)
		if s == nil || s.Status != "True" || r == nil || r.Status != "True" {
			return fmt.Errorf("conditions %v", v.Status.Conditions)
		}
		return nil
	})
}
