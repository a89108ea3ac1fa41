package migratecancel

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned/fake"
)

func mig(name, vmi string, phase virtv1.VirtualMachineInstanceMigrationPhase) *virtv1.VirtualMachineInstanceMigration {
	return &virtv1.VirtualMachineInstanceMigration{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec: virtv1.VirtualMachineInstanceMigrationSpec{VMIName: vmi}, Status: virtv1.VirtualMachineInstanceMigrationStatus{Phase: phase}}
}

func TestActive(t *testing.T) {
	migs := []virtv1.VirtualMachineInstanceMigration{
		*mig("done", "vm", virtv1.MigrationSucceeded), *mig("failed", "vm", virtv1.MigrationFailed),
		*mig("other", "vm2", virtv1.MigrationRunning), *mig("running", "vm", virtv1.MigrationRunning),
	}
	for vmi, want := range map[string]string{"vm": "running", "vm2": "other", "vm3": ""} {
		if got := Active(migs, vmi); got != want {
			t.Errorf("Active(%s) = %q, want %q", vmi, got, want)
		}
	}
	if got := Active([]virtv1.VirtualMachineInstanceMigration{*mig("new", "vm", virtv1.MigrationPhaseUnset)}, "vm"); got != "new" {
		t.Errorf("a migration without a phase yet is active, got %q", got)
	}
}

func TestCancel(t *testing.T) {
	cs := fake.NewSimpleClientset(mig("done", "vm", virtv1.MigrationSucceeded), mig("running", "vm", virtv1.MigrationScheduling))
	migs := cs.KubevirtV1().VirtualMachineInstanceMigrations("ns")
	if err := Cancel(context.Background(), migs, "vm", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	left, _ := migs.List(context.Background(), metav1.ListOptions{})
	if len(left.Items) != 1 || left.Items[0].Name != "done" {
		t.Errorf("left %v, want only the finished migration", left.Items)
	}
	err := Cancel(context.Background(), migs, "vm", metav1.DeleteOptions{})
	if err == nil || !strings.Contains(err.Error(), "found no migration to cancel for vm") {
		t.Errorf("second cancel: %v, want upstream's refusal", err)
	}
}
