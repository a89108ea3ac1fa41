package replicaset

import (
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestConditions(t *testing.T) {
	now := time.Unix(1000, 0)
	earlier := metav1.NewTime(time.Unix(10, 0))
	yes, no := true, false
	pausedCond := virtv1.VirtualMachineInstanceReplicaSetCondition{Type: virtv1.VirtualMachineInstanceReplicaSetReplicaPaused,
		Status: "True", Reason: ReasonPaused, Message: MessagePaused, LastTransitionTime: earlier}
	failureCond := virtv1.VirtualMachineInstanceReplicaSetCondition{Type: virtv1.VirtualMachineInstanceReplicaSetReplicaFailure,
		Status: "True", Reason: ReasonFailedCreate, Message: "old", LastTransitionTime: earlier}
	rs := func(paused *bool, conds ...virtv1.VirtualMachineInstanceReplicaSetCondition) *virtv1.VirtualMachineInstanceReplicaSet {
		r := rsWith(2)
		r.Spec.Paused = paused
		r.Status.Conditions = conds
		return r
	}
	type want struct {
		typ            virtv1.VirtualMachineInstanceReplicaSetConditionType
		reason, msg    string
		keptTransition bool
	}
	tests := []struct {
		name   string
		rs     *virtv1.VirtualMachineInstanceReplicaSet
		scaled Scaled
		want   []want
	}{
		{"running set: none", rs(nil), Scaled{}, nil},
		{"paused: ReplicaPaused as upstream", rs(&yes), Scaled{}, []want{{virtv1.VirtualMachineInstanceReplicaSetReplicaPaused, ReasonPaused, MessagePaused, false}}},
		{"still paused: transition time kept", rs(&yes, pausedCond), Scaled{}, []want{{virtv1.VirtualMachineInstanceReplicaSetReplicaPaused, ReasonPaused, MessagePaused, true}}},
		{"unpaused: removed", rs(&no, pausedCond), Scaled{}, nil},
		{"create refused", rs(nil), Scaled{Acted: true, Creating: true, Err: errors.New("quota")},
			[]want{{virtv1.VirtualMachineInstanceReplicaSetReplicaFailure, ReasonFailedCreate, "quota", false}}},
		{"delete refused", rs(nil), Scaled{Acted: true, Err: errors.New("forbidden")},
			[]want{{virtv1.VirtualMachineInstanceReplicaSetReplicaFailure, ReasonFailedDelete, "forbidden", false}}},
		{"failing again: new message, transition kept", rs(nil, failureCond), Scaled{Acted: true, Creating: true, Err: errors.New("quota")},
			[]want{{virtv1.VirtualMachineInstanceReplicaSetReplicaFailure, ReasonFailedCreate, "quota", true}}},
		{"scaled fine: failure removed", rs(nil, failureCond), Scaled{Acted: true, Creating: true}, nil},
		{"nothing attempted: failure stays", rs(nil, failureCond), Scaled{},
			[]want{{virtv1.VirtualMachineInstanceReplicaSetReplicaFailure, ReasonFailedCreate, "old", true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := conditions(tc.rs, tc.scaled, now)
			if len(got) != len(tc.want) {
				t.Fatalf("conditions %+v, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				c := got[i]
				if c.Type != w.typ || c.Status != "True" || c.Reason != w.reason || c.Message != w.msg {
					t.Errorf("condition %+v, want %s %s %q", c, w.typ, w.reason, w.msg)
				}
				if kept := c.LastTransitionTime.Equal(&earlier); kept != w.keptTransition {
					t.Errorf("transition time %v, kept %v want %v", c.LastTransitionTime, kept, w.keptTransition)
				}
			}
		})
	}
}
