package mutating

import (
	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
)

// DefaultMigration labels a new migration with the VMI it moves (so migrations
// of one VMI can be selected) and adds the finalizer the migration controller
// removes when it is done.
func DefaultMigration(m *virtv1.VirtualMachineInstanceMigration) {
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	if m.Spec.VMIName != "" {
		m.Labels[virtv1.MigrationSelectorLabel] = m.Spec.VMIName
	}
	finalizer.Add(m, virtv1.VirtualMachineInstanceMigrationFinalizer)
}
