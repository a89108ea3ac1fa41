package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
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

// cancelUnstartedMigration: `virtctl migrate` of a running VM creates a
// migration (on one node its target pod cannot be placed; the handlers do not
// start the transfer yet either), and virt-controller's
// kubevirt_vmi_migrations_in_scheduling_phase counts it; the VMI's migration
// state names the test's MigrationPolicy and its effective configuration.
// Deleting it ends it: the VMI's state is
// failed with abortStatus Succeeded, the target pod and label are gone and the
// VM shows Running again, not Migrating.
func cancelUnstartedMigration(t *testing.T, ns, vm string) {
	t.Helper()
	policy := withMigrationPolicy(t, ns)
	if out, err := virtctl(t, "migrate", "-n", ns, vm); err != nil {
		t.Fatalf("virtctl migrate %s: %v\n%s", vm, err, out)
	}
	poll.Eventually(t, time.Minute, "the VM shows Migrating", func() error {
		if s := jsonpath(t, ns, "vm", vm, "{.status.printableStatus}"); s != "Migrating" {
			return fmt.Errorf("printableStatus %q", s)
		}
		return nil
	})
	got := jsonpath(t, ns, "vmi", vm, "{.status.migrationState.migrationPolicyName}/"+
		"{.status.migrationState.migrationConfiguration.bandwidthPerMigration}/"+
		"{.status.migrationState.migrationConfiguration.progressTimeout}")
	if want := policy + "/1Mi/150"; got != want {
		t.Errorf("migration policy/bandwidth/progress timeout %q, want %q", got, want)
	}
	poll.Eventually(t, time.Minute, "kubevirt_vmi_migrations_in_scheduling_phase 1", func() error {
		return controllerReports(t, func(text string) bool {
			return strings.Contains(text, "\nkubevirt_vmi_migrations_in_scheduling_phase 1\n")
		})
	})
	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "vmim", "--all", "--timeout=2m"); err != nil {
		t.Fatalf("kubectl delete vmim: %v\n%s", err, errOut)
	}
	poll.Eventually(t, time.Minute, "the migration ended by its deletion", func() error {
		got := jsonpath(t, ns, "vmi", vm, "{.status.migrationState.abortStatus}/{.status.migrationState.failed}/"+
			`{.metadata.labels.kubevirt\.io/migrationTargetNodeName}/`)
		if got != "Succeeded/true//" {
			return fmt.Errorf("abortStatus/failed/target label %q", got)
		}
		if s := jsonpath(t, ns, "vm", vm, "{.status.printableStatus}"); s != "Running" {
			return fmt.Errorf("printableStatus %q", s)
		}
		pods, _, err := kubectl(t, "", "-n", ns, "get", "pods", "-o", "name")
		if err != nil {
			return err
		}
		if strings.Count(pods, "virt-launcher-") != 1 {
			return fmt.Errorf("launcher pods %q, want the source's only", pods)
		}
		return nil
	})
}

// unschedulableMigrationTimesOut: on a one-node cluster a migration's target
// pod cannot be placed; with upstream's annotation shortening the wait to 5 s
// the migration fails saying so, its target pod goes, the VM keeps
// running and kubevirt_vmi_migration_failed has its series. (With a second node the pod would be placed: skipped there.)
func unschedulableMigrationTimesOut(t *testing.T, ns, vm string) {
	t.Helper()
	nodes, _, err := kubectl(t, "", "get", "nodes", "-l", "kubevirt.io/schedulable=true", "-o", "name")
	if err != nil || strings.Count(nodes, "node/") != 1 {
		t.Logf("not one schedulable node (%q, %v): the unschedulable timeout is not checked", nodes, err)
		return
	}
	const m = `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata:
  name: unplaceable
  annotations: {kubevirt.io/migrationUnschedulablePodTimeoutSeconds: "5"}
spec: {vmiName: %s}
`
	if out, errOut, err := kubectl(t, fmt.Sprintf(m, vm), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vmim: %v\n%s%s", err, out, errOut)
	}
	poll.Eventually(t, 2*time.Minute, "the migration failed on its unschedulable target pod", func() error {
		got := jsonpath(t, ns, "vmim", "unplaceable", "{.status.phase}/{.status.migrationState.failureReason}")
		if !strings.HasPrefix(got, "Failed/the target pod was unschedulable for 5s") {
			return fmt.Errorf("phase/reason %q", got)
		}
		pods, _, err := kubectl(t, "", "-n", ns, "get", "pods", "-o", "name")
		if err != nil {
			return err
		}
		if strings.Count(pods, "virt-launcher-") != 1 {
			return fmt.Errorf("launcher pods %q, want the source's only", pods)
		}
		if s := jsonpath(t, ns, "vm", vm, "{.status.printableStatus}"); s != "Running" {
			return fmt.Errorf("printableStatus %q", s)
		}
		return nil
	})
	failed := fmt.Sprintf(`namespace=%q,vmi=%q,vmim="unplaceable"`, ns, vm)
	poll.Eventually(t, time.Minute, "kubevirt_vmi_migration_failed{"+failed+"}", func() error {
		return controllerReports(t, func(text string) bool {
			return strings.Contains(text, "\nkubevirt_vmi_migration_failed{"+failed+"} 1\n")
		})
	})
}

// withMigrationPolicy creates, for the test, a MigrationPolicy that applies to
// the VMIs of namespace ns (bandwidth 1Mi) and returns its name; a policy asking
// for post-copy is refused first, saying why.
func withMigrationPolicy(t *testing.T, ns string) string {
	t.Helper()
	const manifest = `apiVersion: migrations.kubevirt.io/v1alpha1
kind: MigrationPolicy
metadata: {name: %s}
spec:
  bandwidthPerMigration: 1Mi
  allowPostCopy: %t
  selectors:
    namespaceSelector: {kubernetes.io/metadata.name: %s}
`
	name := ns + "-policy"
	_, errOut, err := kubectl(t, fmt.Sprintf(manifest, name, true, ns), "apply", "-f", "-")
	const want = "not supported by kvirt: migrations are pre-copy only"
	if err == nil || !strings.Contains(errOut, want) {
		t.Fatalf("a post-copy policy: err %v, stderr %q; want a refusal saying %q", err, errOut, want)
	}
	if out, errOut, err := kubectl(t, fmt.Sprintf(manifest, name, false, ns), "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply migrationpolicy: %v\n%s%s", err, out, errOut)
	}
	t.Cleanup(func() {
		if _, errOut, err := kubectl(t, "", "delete", "migrationpolicy", name, "--ignore-not-found"); err != nil {
			t.Errorf("delete migrationpolicy %s: %v\n%s", name, err, errOut)
		}
	})
	return name
}
