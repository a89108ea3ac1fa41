package migration

import (
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func vmiWith(node string, st *virtv1.VirtualMachineInstanceMigrationState) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Status.NodeName = node
	vmi.Status.MigrationState = st
	return vmi
}

func state(mod func(*virtv1.VirtualMachineInstanceMigrationState)) *virtv1.VirtualMachineInstanceMigrationState {
	st := &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m1", SourceNode: "a", TargetNode: "b"}
	if mod != nil {
		mod(st)
	}
	return st
}

func TestRoleOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		vmi  *virtv1.VirtualMachineInstance
		node string
		want Role
	}{
		{"no migration", vmiWith("a", nil), "a", RoleNone},
		{"no uid yet", vmiWith("a", &virtv1.VirtualMachineInstanceMigrationState{SourceNode: "a"}), "a", RoleNone},
		{"source", vmiWith("a", state(nil)), "a", RoleSource},
		{"target", vmiWith("a", state(nil)), "b", RoleTarget},
		{"third node", vmiWith("a", state(nil)), "c", RoleNone},
		{"target not chosen yet", vmiWith("a", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.TargetNode = "" })), "b", RoleNone},
		{"failed: source keeps its VMI", vmiWith("a", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Failed = true })), "a", RoleNone},
		{"failed: target lets go", vmiWith("a", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Failed = true })), "b", RoleNone},
		{"completed, not taken over", vmiWith("a", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Completed = true })), "b", RoleTarget},
		{"completed and taken over", vmiWith("b", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Completed = true })), "b", RoleNone},
		{"old source after take-over", vmiWith("b", state(func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Completed = true })), "a", RoleNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RoleOf(tc.vmi, tc.node); got != tc.want {
				t.Errorf("RoleOf = %v, want %v", got, tc.want)
			}
		})
	}
}
