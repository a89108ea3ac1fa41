// Package migration is the VirtualMachineInstanceMigration controller: it drives a
// migration's phases (Pending → Scheduling → Scheduled → PreparingTarget →
// TargetReady → Running → Succeeded/Failed), creates the target launcher pod off
// the source node within the parallel-migration limits, and keeps the VMI's
// migrationState. The transfer itself is virt-handler's; this package reads the
// progress the handlers write into the VMI. Decide is pure. It must not import
// the other controllers.
package migration
