package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
)

func TestMigrations(t *testing.T) {
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for i, p := range []virtv1.VirtualMachineInstanceMigrationPhase{
		virtv1.MigrationPhaseUnset, virtv1.MigrationPending, virtv1.MigrationPending, virtv1.MigrationScheduling,
		virtv1.MigrationScheduled, virtv1.MigrationPreparingTarget, virtv1.MigrationTargetReady, virtv1.MigrationRunning,
		virtv1.MigrationSucceeded, virtv1.MigrationFailed,
	} {
		_ = idx.Add(&virtv1.VirtualMachineInstanceMigration{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "m" + string(rune('a'+i))},
			Spec:       virtv1.VirtualMachineInstanceMigrationSpec{VMIName: "vm"},
			Status:     virtv1.VirtualMachineInstanceMigrationStatus{Phase: p},
		})
	}
	want := `
# HELP kubevirt_vmi_migration_failed 1 for each migration that failed (while its object exists).
# TYPE kubevirt_vmi_migration_failed gauge
kubevirt_vmi_migration_failed{namespace="ns",vmi="vm",vmim="mj"} 1
# HELP kubevirt_vmi_migration_succeeded 1 for each migration that succeeded (while its object exists).
# TYPE kubevirt_vmi_migration_succeeded gauge
kubevirt_vmi_migration_succeeded{namespace="ns",vmi="vm",vmim="mi"} 1
# HELP kubevirt_vmi_migrations_in_pending_phase Migrations waiting for their VMI to run or for a parallel-limit slot.
# TYPE kubevirt_vmi_migrations_in_pending_phase gauge
kubevirt_vmi_migrations_in_pending_phase 2
# HELP kubevirt_vmi_migrations_in_running_phase Migrations past scheduling and not finished: Scheduled, PreparingTarget, TargetReady or Running.
# TYPE kubevirt_vmi_migrations_in_running_phase gauge
kubevirt_vmi_migrations_in_running_phase 4
# HELP kubevirt_vmi_migrations_in_scheduling_phase Migrations whose target pod exists but is not running yet.
# TYPE kubevirt_vmi_migrations_in_scheduling_phase gauge
kubevirt_vmi_migrations_in_scheduling_phase 1
# HELP kubevirt_vmi_migrations_in_unset_phase Migrations virt-controller has not picked up yet (no phase).
# TYPE kubevirt_vmi_migrations_in_unset_phase gauge
kubevirt_vmi_migrations_in_unset_phase 1
`
	c := NewMigrations(virtlisters.NewVirtualMachineInstanceMigrationLister(idx))
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
