// Package migrationpolicy decides which MigrationPolicy applies to a VMI and
// the configuration a migration of it runs with: the cluster's
// spec.configuration.migrations over upstream's defaults, overridden by the
// policy's settings. Pure functions of their inputs.
package migrationpolicy
