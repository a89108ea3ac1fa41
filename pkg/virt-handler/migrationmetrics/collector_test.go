package migrationmetrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fixed []Progress

func (f fixed) Migrations() []Progress { return f }

func TestCollect(t *testing.T) {
	c := New("n1", fixed{{Namespace: "ns", Name: "vm", Processed: 100, Remaining: 28, Total: 128, DirtyRate: 4096}})
	want := `
# HELP kubevirt_vmi_migration_data_processed_bytes The bytes a running live migration has sent so far.
# TYPE kubevirt_vmi_migration_data_processed_bytes gauge
kubevirt_vmi_migration_data_processed_bytes{name="vm",namespace="ns",node="n1"} 100
# HELP kubevirt_vmi_migration_data_remaining_bytes The bytes a running live migration still has to send.
# TYPE kubevirt_vmi_migration_data_remaining_bytes gauge
kubevirt_vmi_migration_data_remaining_bytes{name="vm",namespace="ns",node="n1"} 28
# HELP kubevirt_vmi_migration_dirty_memory_rate_bytes The rate at which a migrating guest dirties its memory, in bytes per second.
# TYPE kubevirt_vmi_migration_dirty_memory_rate_bytes gauge
kubevirt_vmi_migration_dirty_memory_rate_bytes{name="vm",namespace="ns",node="n1"} 4096
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "kubevirt_vmi_migration_data_processed_bytes",
		"kubevirt_vmi_migration_data_remaining_bytes", "kubevirt_vmi_migration_dirty_memory_rate_bytes"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(New("n1", fixed{})); n != 0 {
		t.Errorf("%d series without a migration", n)
	}
}
