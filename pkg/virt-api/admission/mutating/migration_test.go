package mutating

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestDefaultMigration(t *testing.T) {
	m := &virtv1.VirtualMachineInstanceMigration{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"keep": "me"}},
		Spec:       virtv1.VirtualMachineInstanceMigrationSpec{VMIName: "vmi-a"},
	}
	DefaultMigration(m)
	DefaultMigration(m) // idempotent
	if m.Labels[virtv1.MigrationSelectorLabel] != "vmi-a" || m.Labels["keep"] != "me" {
		t.Fatalf("labels %v", m.Labels)
	}
	if len(m.Finalizers) != 1 || m.Finalizers[0] != virtv1.VirtualMachineInstanceMigrationFinalizer {
		t.Fatalf("finalizers %v", m.Finalizers)
	}
}
