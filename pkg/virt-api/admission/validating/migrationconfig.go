package validating

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// validateMigrationConfig checks spec.configuration.migrations: the parallel
// limits must allow a migration, durations and the bandwidth cannot be
// negative, and the settings kvirt's migrations do not implement are refused
// rather than ignored.
func validateMigrationConfig(path *field.Path, m *virtv1.MigrationConfiguration) field.ErrorList {
	if m == nil {
		return nil
	}
	var errs field.ErrorList
	type number struct {
		name string
		n    *int64
		min  int64
	}
	for _, f := range []number{
		{"completionTimeoutPerGiB", m.CompletionTimeoutPerGiB, 0}, {"maxDowntimeMs", m.MaxDowntimeMS, 0},
		{"parallelMigrationsPerCluster", m.ParallelMigrationsPerCluster, 1},
		{"parallelOutboundMigrationsPerNode", m.ParallelOutboundMigrationsPerNode, 1},
		{"progressTimeout", m.ProgressTimeout, 0}, {"utilityVolumesTimeout", m.UtilityVolumesTimeout, 0},
	} {
		switch {
		case f.n == nil || *f.n >= f.min:
		case f.min == 1:
			errs = append(errs, field.Invalid(path.Child(f.name), *f.n, "must be at least 1"))
		default:
			errs = append(errs, field.Invalid(path.Child(f.name), *f.n, "must not be negative"))
		}
	}
	if b := m.BandwidthPerMigration; b != nil && b.Sign() < 0 {
		errs = append(errs, field.Invalid(path.Child("bandwidthPerMigration"), b.String(), "must not be negative"))
	}
	type setting struct {
		name   string
		set    bool
		reason string
	}
	for _, f := range []setting{
		{"allowPostCopy", isTrue(m.AllowPostCopy), "migrations are pre-copy only"},
		{"allowWorkloadDisruption", isTrue(m.AllowWorkloadDisruption),
			"a migration that overruns is cancelled, never switched to post-copy or paused"},
		{"disableTLS", isTrue(m.DisableTLS), "migration streams always travel between the virt-handlers over mutual TLS"},
		{"network", m.Network != "", "migrations travel on the pod network only"},
		{"nodeDrainTaintKey", m.NodeDrainTaintKey != "", "no node is evacuated on a taint"},
		{"unsafeMigrationOverride", isTrue(m.UnsafeMigrationOverride),
			"migratability is the LiveMigratable condition, which nothing overrides"},
	} {
		if f.set {
			errs = append(errs, field.Forbidden(path.Child(f.name), "not supported by kvirt: "+f.reason))
		}
	}
	return errs
}

func isTrue(b *bool) bool { return b != nil && *b }
