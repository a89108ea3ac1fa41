// Package migratecancel is `virtctl migrate-cancel NAME`: it deletes the active
// VirtualMachineInstanceMigration of the instance, which aborts the migration.
// It must not import the other command packages.
package migratecancel
