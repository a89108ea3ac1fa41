package migration

import virtv1 "kvirt.io/api/core/v1"

// Role is this node's part in a VMI's current migration.
type Role int

// Roles.
const (
	// RoleNone: no migration, or one this node has no part in (any more).
	RoleNone Role = iota
	// RoleSource: the VMI runs here and is being sent away.
	RoleSource
	// RoleTarget: the VMI is coming here.
	RoleTarget
)

func (r Role) String() string {
	switch r {
	case RoleSource:
		return "source"
	case RoleTarget:
		return "target"
	}
	return "none"
}

// RoleOf says which half of the VMI's migration node runs. A migration that
// completed belongs to the node the VMI runs on afterwards: the target until
// it has taken the VMI over, then nobody (the VMI is an ordinary one again).
// A failed migration leaves the source in charge of its running VMI, which
// needs nothing of this package.
func RoleOf(vmi *virtv1.VirtualMachineInstance, node string) Role {
	st := vmi.Status.MigrationState
	if st == nil || st.MigrationUID == "" || st.Failed {
		return RoleNone
	}
	switch {
	case st.TargetNode == node && st.SourceNode != node:
		if st.Completed && vmi.Status.NodeName == node {
			return RoleNone
		}
		return RoleTarget
	case st.SourceNode == node && vmi.Status.NodeName == node:
		return RoleSource
	}
	return RoleNone
}
