package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/guestcount"
	"kvirt.io/kvirt/tests/framework/poll"
)

// counterVM is the example VM, always running, whose guest counts.
func counterVM(t *testing.T) string {
	t.Helper()
	vm := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	i := strings.Index(vm, "            #!/bin/sh\n")
	if i < 0 {
		t.Fatal("the example VM has no user data script")
	}
	return vm[:i] + indent(guestcount.UserData, "            ") + vm[i+len("            #!/bin/sh\n"):]
}

// TestLiveMigrationTwoNodes: on the two-node cluster, a running VM whose
// guest counts on its console migrates with virtctl migrate: the migration
// Succeeds, the VMI ends on the other node with only the target pod left, the
// count carries on without a second boot, and it migrates back.
func TestLiveMigrationTwoNodes(t *testing.T) {
	secondNode(t)
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, counterVM(t), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	vmi := waitRunning(t, ns, "testvm")
	out := consoleUntil(t, ns, "testvm", markerBooted, guestcount.Marker+"3")
	waitLiveMigratable(t, ns, "testvm", "True", "")
	from := vmi.Status.NodeName
	for round := 1; round <= 2; round++ {
		to := migrateOnce(t, ns, round)
		if to == from {
			t.Fatalf("round %d: the VMI is still on %s", round, from)
		}
		before := guestcount.Last(out)
		out = countAbove(t, ns, before+2)
		if strings.Contains(out, markerBooted) {
			t.Fatalf("round %d: the guest booted again on %s:\n%s", round, to, out)
		}
		if got := guestcount.Last(out); got <= before {
			t.Fatalf("round %d: count %d after the migration, %d before", round, got, before)
		}
		from = to
	}
}

// countAbove reads testvm's console until the guest counted past n.
func countAbove(t *testing.T, ns string, n int) string {
	t.Helper()
	return consoleUntilFunc(t, ns, "testvm", fmt.Sprintf("a count above %d", n),
		func(out string) bool { return guestcount.Last(out) > n })
}

// migrateOnce migrates testvm with virtctl, waits for the migration to
// succeed and the old pod to go, and returns the VMI's new node.
func migrateOnce(t *testing.T, ns string, round int) string {
	t.Helper()
	vmi, err := getVMI(t, ns, "testvm")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if out, err := virtctl(t, "migrate", "-n", ns, "testvm"); err != nil {
		t.Fatalf("virtctl migrate: %v\n%s", err, out)
	}
	var mig *virtv1.VirtualMachineInstanceMigration
	poll.Eventually(t, 5*time.Minute, fmt.Sprintf("migration %d succeeded", round), func() error {
		list, err := e.kvirt.KubevirtV1().VirtualMachineInstanceMigrations(ns).List(ctx(t), metav1.ListOptions{})
		if err != nil {
			return err
		}
		for i := range list.Items {
			m := &list.Items[i]
			if m.CreationTimestamp.Time.Before(began.Add(-time.Second)) {
				continue
			}
			switch m.Status.Phase {
			case virtv1.MigrationSucceeded:
				mig = m
				return nil
			case virtv1.MigrationFailed:
				st := m.Status.MigrationState
				reason := ""
				if st != nil {
					reason = st.FailureReason
				}
				t.Fatalf("migration %s failed: %s", m.Name, reason)
			}
			return fmt.Errorf("migration %s in %s", m.Name, m.Status.Phase)
		}
		return fmt.Errorf("no migration yet")
	})
	took := time.Since(began)
	var now *virtv1.VirtualMachineInstance
	poll.Eventually(t, 2*time.Minute, "the VMI on its new node, the old pod gone", func() error {
		v, err := getVMI(t, ns, "testvm")
		if err != nil {
			return err
		}
		if v.Status.NodeName == vmi.Status.NodeName || v.Status.Phase != virtv1.Running || v.UID != vmi.UID {
			return fmt.Errorf("node %s phase %s", v.Status.NodeName, v.Status.Phase)
		}
		pods, _, err := kubectl(t, "", "-n", ns, "get", "pods", "-o", "name")
		if err != nil {
			return err
		}
		if n := strings.Count(pods, "virt-launcher-"); n != 1 {
			return fmt.Errorf("%d launcher pods: %s", n, pods)
		}
		now = v
		return nil
	})
	st := mig.Status.MigrationState
	stream := time.Duration(0)
	if st != nil && st.StartTimestamp != nil && st.EndTimestamp != nil {
		stream = st.EndTimestamp.Sub(st.StartTimestamp.Time)
	}
	t.Logf("FIGURE live migration %d of a 128 MiB TCG guest (%s → %s): %s from virtctl migrate to Succeeded, "+
		"libvirt's transfer %s", round, vmi.Status.NodeName, now.Status.NodeName, took.Round(time.Millisecond),
		stream.Round(time.Millisecond))
	return now.Status.NodeName
}

// slowMigrationPolicy applies to namespace ns's VMIs: a 1 MiB/s cap, so a
// 128 MiB guest takes minutes, and completionTimeoutPerGiB (0: the default).
func slowMigrationPolicy(t *testing.T, ns string, completionTimeoutPerGiB int) {
	t.Helper()
	timeout := ""
	if completionTimeoutPerGiB > 0 {
		timeout = fmt.Sprintf("  completionTimeoutPerGiB: %d\n", completionTimeoutPerGiB)
	}
	manifest := fmt.Sprintf(`apiVersion: migrations.kubevirt.io/v1alpha1
kind: MigrationPolicy
metadata: {name: %s-slow}
spec:
  bandwidthPerMigration: 1Mi
%s  selectors:
    namespaceSelector: {kubernetes.io/metadata.name: %s}
`, ns, timeout, ns)
	if out, errOut, err := kubectl(t, manifest, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply migrationpolicy: %v\n%s%s", err, out, errOut)
	}
	t.Cleanup(func() { _, _, _ = kubectl(t, "", "delete", "migrationpolicy", ns+"-slow", "--ignore-not-found") })
}

// waitMigrationState waits until the VMI's migrationState reads want at path
// (a kubectl jsonpath below .status.migrationState).
func waitMigrationState(t *testing.T, ns, path, want string) {
	t.Helper()
	poll.Eventually(t, 3*time.Minute, "migrationState "+path+" = "+want, func() error {
		if got := jsonpath(t, ns, "vmi", "testvm", path); got != want {
			return fmt.Errorf("%s = %q", path, got)
		}
		return nil
	})
}

// TestLiveMigrationAbortAndTimeout: on the two-node cluster, a migration
// throttled to 1 MiB/s is deleted while it runs (virtctl migrate-cancel): it is aborted
// (abortStatus Succeeded), the target pod goes and the VM runs on as before on
// its node. Then one whose policy allows 1 s per GiB fails on its completion
// timeout, saying so, and the VM again runs on.
func TestLiveMigrationAbortAndTimeout(t *testing.T) {
	secondNode(t)
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, counterVM(t), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	vmi := waitRunning(t, ns, "testvm")
	consoleUntil(t, ns, "testvm", guestcount.Marker+"3")
	stays := func(what string) {
		t.Helper()
		poll.Eventually(t, 2*time.Minute, what+": the VM runs on, one launcher pod", func() error {
			v, err := getVMI(t, ns, "testvm")
			if err != nil {
				return err
			}
			if v.UID != vmi.UID || v.Status.Phase != virtv1.Running || v.Status.NodeName != vmi.Status.NodeName {
				return fmt.Errorf("phase %s on %s", v.Status.Phase, v.Status.NodeName)
			}
			pods, _, err := kubectl(t, "", "-n", ns, "get", "pods", "-o", "name")
			if err != nil {
				return err
			}
			if n := strings.Count(pods, "virt-launcher-"); n != 1 {
				return fmt.Errorf("%d launcher pods", n)
			}
			return nil
		})
		countAbove(t, ns, guestcount.Last(consoleUntil(t, ns, "testvm", guestcount.Marker))+1)
	}

	slowMigrationPolicy(t, ns, 0)
	if out, err := virtctl(t, "migrate", "-n", ns, "testvm"); err != nil {
		t.Fatalf("virtctl migrate: %v\n%s", err, out)
	}
	waitMigrationState(t, ns, "{.status.migrationState.mode}", "PreCopy")
	if out, err := virtctl(t, "migrate-cancel", "-n", ns, "testvm"); err != nil { // deletes the VMIM
		t.Fatalf("virtctl migrate-cancel: %v\n%s", err, out)
	}
	waitMigrationState(t, ns, "{.status.migrationState.abortStatus}/{.status.migrationState.failed}", "Succeeded/true")
	stays("deleted while running")

	first := jsonpath(t, ns, "vmi", "testvm", "{.status.migrationState.migrationUid}")
	slowMigrationPolicy(t, ns, 1)
	if out, err := virtctl(t, "migrate", "-n", ns, "testvm"); err != nil {
		t.Fatalf("virtctl migrate: %v\n%s", err, out)
	}
	poll.Eventually(t, 3*time.Minute, "the second migration failed", func() error {
		got := jsonpath(t, ns, "vmi", "testvm", "{.status.migrationState.migrationUid}/{.status.migrationState.failed}")
		if uid, failed, _ := strings.Cut(got, "/"); uid == first || failed != "true" {
			return fmt.Errorf("migrationUid/failed %q", got)
		}
		return nil
	})
	reason := jsonpath(t, ns, "vmi", "testvm", "{.status.migrationState.failureReason}")
	if !strings.Contains(reason, "completionTimeoutPerGiB 1s") {
		t.Errorf("failure reason %q, want the completion timeout", reason)
	}
	stays("completion timeout")
}
