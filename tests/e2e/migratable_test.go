package e2e

import (
	"fmt"
	"strings"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

// waitLiveMigratable waits until the VMI's LiveMigratable condition has status
// (and reason, when given).
func waitLiveMigratable(t *testing.T, ns, name, status, reason string) {
	t.Helper()
	waitVMI(t, ns, name, startTimeout, "LiveMigratable "+status+" "+reason, func(v *virtv1.VirtualMachineInstance) error {
		for _, c := range v.Status.Conditions {
			if c.Type != virtv1.VirtualMachineInstanceIsMigratable {
				continue
			}
			if c.Status != status || (reason != "" && c.Reason != reason) {
				return fmt.Errorf("LiveMigratable %s/%s: %s", c.Status, c.Reason, c.Message)
			}
			return nil
		}
		return fmt.Errorf("no LiveMigratable condition")
	})
}

// migrationRefused checks that `virtctl migrate` of a non-migratable VMI is
// refused at admission with the condition's reason, and that no migration
// object was stored.
func migrationRefused(t *testing.T, ns, name, reason string) {
	t.Helper()
	out, err := virtctl(t, "migrate", "-n", ns, name)
	if err == nil || !strings.Contains(out, reason) {
		t.Fatalf("virtctl migrate %s: err %v, output %q; want a refusal naming %s", name, err, out, reason)
	}
	if got, _, err := kubectl(t, "", "-n", ns, "get", "vmim", "-o", "name"); err != nil || strings.TrimSpace(got) != "" {
		t.Fatalf("a refused migration left objects: %q (%v)", got, err)
	}
}
