// Package vm is the VirtualMachine controller: it turns a VM's runStrategy and
// state-change requests into VMI creation and deletion, expands instancetypes and
// preferences into new VMIs, applies start-failure backoff, creates the
// DataVolumes of spec.dataVolumeTemplates (the VMI waits for them), and reports the
// VM status users script against. Decisions are pure functions (Decide, Status,
// PlanDataVolumes); the
// controller fetches, decides and applies. It must not import other controllers.
package vm
