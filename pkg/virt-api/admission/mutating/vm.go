package mutating

import (
	virtv1 "kvirt.io/api/core/v1"
)

// DefaultVM applies the create-time defaults a VirtualMachine gets: the
// template's architecture, machine type and firmware UUID. Everything else is
// defaulted when the VM's VMI is created.
func DefaultVM(vm *virtv1.VirtualMachine, cfg Config, newUUID func() string) {
	if vm.Spec.Template == nil {
		return
	}
	s := &vm.Spec.Template.Spec
	if s.Architecture == "" {
		s.Architecture = cfg.Architecture
	}
	if s.Domain.Machine == nil || s.Domain.Machine.Type == "" {
		s.Domain.Machine = &virtv1.Machine{Type: cfg.machineType(s.Architecture)}
	}
	defaultFirmware(&s.Domain, newUUID)
}
