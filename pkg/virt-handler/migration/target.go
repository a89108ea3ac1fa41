package migration

import (
	"maps"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// TargetObserved is what the target node's handler knows at one sync.
type TargetObserved struct {
	// LauncherUp: the target pod's launcher answered.
	LauncherUp bool
	// PreparedFor is the migration UID the launcher was prepared for (the
	// handler's state store), "" when it was not.
	PreparedFor string
	// DomainRunning: the domain has arrived and runs in the target launcher.
	DomainRunning bool
	// Address and Port are where the source's handler reaches this one: the
	// node's InternalIP and the node API port, which relays every stream.
	Address string
	Port    int32
}

// TargetAction is what the target's handler does next.
type TargetAction int

// Target actions.
const (
	// TargetWait: nothing to do until the launcher answers or the source
	// reports.
	TargetWait TargetAction = iota
	// TargetPrepare: call PrepareMigrationTarget and remember the answer.
	TargetPrepare
	// TargetReport: patch State (the target's fields changed).
	TargetReport
	// TargetTakeOver: patch State and move the VMI to this node (NodeName).
	TargetTakeOver
)

// TargetStep is Target's decision.
type TargetStep struct {
	Action TargetAction
	// State is the VMI's migrationState as the target leaves it (a copy).
	State *virtv1.VirtualMachineInstanceMigrationState
}

// Target decides the target handler's next step for a VMI whose RoleOf is
// RoleTarget. It owns targetNodeAddress, targetDirectMigrationNodePorts,
// targetNodeDomainDetected and targetNodeDomainReadyTimestamp; the source
// owns completed, so the VMI moves here only once the source says the
// migration completed and the domain runs here: never two nodes at once.
func Target(vmi *virtv1.VirtualMachineInstance, obs TargetObserved, now metav1.Time) TargetStep {
	st := vmi.Status.MigrationState.DeepCopy()
	step := TargetStep{State: st}
	if obs.PreparedFor != st.MigrationUID {
		if obs.LauncherUp && !st.AbortRequested {
			step.Action = TargetPrepare
		}
		return step
	}
	ports := map[string]int32{strconv.Itoa(int(obs.Port)): 0}
	if st.TargetNodeAddress != obs.Address || !maps.Equal(st.TargetDirectMigrationNodePorts, ports) {
		st.TargetNodeAddress, st.TargetDirectMigrationNodePorts = obs.Address, ports
		step.Action = TargetReport
	}
	if obs.DomainRunning && !st.TargetNodeDomainDetected {
		st.TargetNodeDomainDetected = true
		st.TargetNodeDomainReadyTimestamp = now.DeepCopy()
		step.Action = TargetReport
	}
	if st.Completed && st.TargetNodeDomainDetected {
		step.Action = TargetTakeOver
	}
	return step
}
