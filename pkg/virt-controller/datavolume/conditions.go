package datavolume

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// CDI's condition reasons.
const (
	ReasonBound           = "Bound"
	ReasonPending         = "Pending"
	ReasonNotFound        = "NotFound"
	ReasonClaimLost       = "ClaimLost"
	ReasonTransferRunning = "TransferRunning"
	ReasonPodRunning      = "Pod is running"
	ReasonCompleted       = "Completed"
	ReasonUnschedulable   = "Unschedulable"
	ReasonResourceExists  = "ErrResourceExists"
)

// cond is a condition's state without its times.
type cond struct {
	status          corev1.ConditionStatus
	reason, message string
}

// setCondition writes c as condition t the way CDI does: the transition time
// moves when the status changes, the heartbeat whenever anything changes, and
// nothing moves when nothing changed.
func setCondition(conds []cdiv1beta1.DataVolumeCondition, t cdiv1beta1.DataVolumeConditionType, c cond,
	now time.Time) []cdiv1beta1.DataVolumeCondition {
	ts := metav1.NewTime(now.Truncate(time.Second))
	for i := range conds {
		cur := &conds[i]
		if cur.Type != t {
			continue
		}
		if cur.Status != c.status {
			cur.LastTransitionTime, cur.LastHeartbeatTime = ts, ts
		} else if cur.Reason != c.reason || cur.Message != c.message {
			cur.LastHeartbeatTime = ts
		}
		cur.Status, cur.Reason, cur.Message = c.status, c.reason, c.message
		return conds
	}
	return append(conds, cdiv1beta1.DataVolumeCondition{Type: t, Status: c.status, Reason: c.reason, Message: c.message,
		LastTransitionTime: ts, LastHeartbeatTime: ts})
}

// findCondition returns condition t or nil.
func findCondition(conds []cdiv1beta1.DataVolumeCondition, t cdiv1beta1.DataVolumeConditionType) *cdiv1beta1.DataVolumeCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// boundCondition is Bound as CDI reports it from the claim (nil: none yet).
func boundCondition(claim *corev1.PersistentVolumeClaim) cond {
	if claim == nil {
		return cond{corev1.ConditionFalse, ReasonNotFound, "No PVC found"}
	}
	switch claim.Status.Phase {
	case corev1.ClaimBound:
		return cond{corev1.ConditionTrue, ReasonBound, fmt.Sprintf("PVC %s Bound", claim.Name)}
	case corev1.ClaimLost:
		return cond{corev1.ConditionFalse, ReasonClaimLost, "Claim Lost"}
	default:
		return cond{corev1.ConditionFalse, ReasonPending, fmt.Sprintf("PVC %s Pending", claim.Name)}
	}
}

// readyCondition is Ready for phase: True once Succeeded, Unknown with the
// phase, else False (TransferRunning while the transfer pod runs).
func readyCondition(phase cdiv1beta1.DataVolumePhase, running cond) cond {
	switch {
	case phase == cdiv1beta1.Succeeded:
		return cond{status: corev1.ConditionTrue}
	case phase == cdiv1beta1.Unknown:
		return cond{status: corev1.ConditionUnknown}
	case running.status == corev1.ConditionTrue:
		return cond{status: corev1.ConditionFalse, reason: ReasonTransferRunning}
	}
	return cond{status: corev1.ConditionFalse}
}
