package replicaset

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Upstream's reasons and message on the replica set's conditions.
const (
	ReasonPaused        = "Paused"
	MessagePaused       = "Controller got paused"
	ReasonFailedCreate  = "FailedCreate"
	ReasonFailedDelete  = "FailedDelete"
	conditionTrueStatus = string(corev1.ConditionTrue)
)

// Scaled is what the last scaling attempt did: nothing (Acted false, the
// ReplicaFailure condition stays as it is), or creations and deletions that
// succeeded (Err nil, the condition goes) or failed.
type Scaled struct {
	Acted bool
	// Creating says the attempt had to create VMIs (FailedCreate) rather than
	// only delete them (FailedDelete).
	Creating bool
	Err      error
}

// conditions computes ReplicaPaused (present, True, while spec.paused is set)
// and ReplicaFailure (the error of the last scaling attempt) over the existing
// ones, keeping transition times of conditions that did not change.
func conditions(rs *virtv1.VirtualMachineInstanceReplicaSet, scaled Scaled, now time.Time) []virtv1.VirtualMachineInstanceReplicaSetCondition {
	conds := rs.Status.DeepCopy().Conditions
	if rs.Spec.Paused != nil && *rs.Spec.Paused {
		conds = setCondition(conds, virtv1.VirtualMachineInstanceReplicaSetCondition{
			Type: virtv1.VirtualMachineInstanceReplicaSetReplicaPaused, Status: conditionTrueStatus,
			Reason: ReasonPaused, Message: MessagePaused,
		}, now)
	} else {
		conds = removeCondition(conds, virtv1.VirtualMachineInstanceReplicaSetReplicaPaused)
	}
	switch {
	case !scaled.Acted:
	case scaled.Err == nil:
		conds = removeCondition(conds, virtv1.VirtualMachineInstanceReplicaSetReplicaFailure)
	default:
		reason := ReasonFailedDelete
		if scaled.Creating {
			reason = ReasonFailedCreate
		}
		conds = setCondition(conds, virtv1.VirtualMachineInstanceReplicaSetCondition{
			Type: virtv1.VirtualMachineInstanceReplicaSetReplicaFailure, Status: conditionTrueStatus,
			Reason: reason, Message: scaled.Err.Error(),
		}, now)
	}
	return conds
}

func setCondition(conds []virtv1.VirtualMachineInstanceReplicaSetCondition, c virtv1.VirtualMachineInstanceReplicaSetCondition,
	now time.Time) []virtv1.VirtualMachineInstanceReplicaSetCondition {
	c.LastTransitionTime = metav1.NewTime(now.Truncate(time.Second))
	for i := range conds {
		if conds[i].Type != c.Type {
			continue
		}
		if conds[i].Status == c.Status {
			c.LastTransitionTime, c.LastProbeTime = conds[i].LastTransitionTime, conds[i].LastProbeTime
		}
		conds[i] = c
		return conds
	}
	return append(conds, c)
}

func removeCondition(conds []virtv1.VirtualMachineInstanceReplicaSetCondition,
	t virtv1.VirtualMachineInstanceReplicaSetConditionType) []virtv1.VirtualMachineInstanceReplicaSetCondition {
	var kept []virtv1.VirtualMachineInstanceReplicaSetCondition
	for _, c := range conds {
		if c.Type != t {
			kept = append(kept, c)
		}
	}
	return kept
}
