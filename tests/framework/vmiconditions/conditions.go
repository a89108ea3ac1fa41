// Package vmiconditions reads a VMI's status conditions in tests.
package vmiconditions

import virtv1 "kvirt.io/api/core/v1"

// Get returns the VMI's condition of type t, or nil.
func Get(vmi *virtv1.VirtualMachineInstance, t virtv1.VirtualMachineInstanceConditionType) *virtv1.VirtualMachineInstanceCondition {
	for i := range vmi.Status.Conditions {
		if vmi.Status.Conditions[i].Type == t {
			return &vmi.Status.Conditions[i]
		}
	}
	return nil
}
