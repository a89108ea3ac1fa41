package vm

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// syncFalse gives vmi the Synchronized=False condition the VMI controller sets.
func syncFalse(vmi *virtv1.VirtualMachineInstance, reason string) *virtv1.VirtualMachineInstance {
	vmi.Status.Conditions = append(vmi.Status.Conditions, virtv1.VirtualMachineInstanceCondition{
		Type: virtv1.VirtualMachineInstanceSynchronized, Status: "False", Reason: reason, Message: "message of " + reason})
	return vmi
}

func vmCondition(st virtv1.VirtualMachineStatus, t virtv1.VirtualMachineConditionType) *virtv1.VirtualMachineCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

func TestStatusMirrorsVMIConditions(t *testing.T) {
	at := metav1.NewTime(now)
	tests := []struct {
		name    string
		vmi     *virtv1.VirtualMachineInstance
		want    map[virtv1.VirtualMachineConditionType]string // type -> reason
		notWant []virtv1.VirtualMachineConditionType
	}{{
		name: "image pull failure with the kubelet's message",
		vmi:  syncFalse(vmiFor(starting), "ErrImagePull"),
		want: map[virtv1.VirtualMachineConditionType]string{"Synchronized": "ErrImagePull", virtv1.VirtualMachineReady: ReasonVMINotReady},
	}, {
		name: "unschedulable launcher",
		vmi: func() *virtv1.VirtualMachineInstance {
			v := vmiFor(starting)
			v.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstancePodScheduled,
				Status: "False", Reason: "Unschedulable", LastTransitionTime: at}}
			return v
		}(),
		want: map[virtv1.VirtualMachineConditionType]string{"PodScheduled": "Unschedulable"},
	}, {
		name: "paused by the user; the VMI's Ready is the VM controller's to compute",
		vmi: func() *virtv1.VirtualMachineInstance {
			v := vmiFor(running)
			v.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{
				{Type: virtv1.VirtualMachineInstancePaused, Status: "True", Reason: "PausedByUser"},
				{Type: virtv1.VirtualMachineInstanceReady, Status: "False", Reason: "the handler's"}}
			return v
		}(),
		want: map[virtv1.VirtualMachineConditionType]string{virtv1.VirtualMachinePaused: "PausedByUser", virtv1.VirtualMachineReady: ReasonVMINotReady},
	}, {
		name:    "mirrored conditions go when the VMI does",
		vmi:     nil,
		want:    map[virtv1.VirtualMachineConditionType]string{virtv1.VirtualMachineReady: ReasonVMINotExists},
		notWant: []virtv1.VirtualMachineConditionType{"Synchronized", virtv1.VirtualMachinePaused},
	}, {
		name:    "the pull succeeded",
		vmi:     vmiFor(starting),
		notWant: []virtv1.VirtualMachineConditionType{"Synchronized"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vm := vmWith(virtv1.RunStrategyAlways)
			// what an earlier sync mirrored
			vm.Status.Conditions = []virtv1.VirtualMachineCondition{
				{Type: "Synchronized", Status: "False", Reason: "ErrImagePull"},
				{Type: virtv1.VirtualMachinePaused, Status: "True", Reason: "PausedByUser"}}
			if tc.vmi != nil && len(tc.vmi.Status.Conditions) > 0 {
				vm.Status.Conditions = nil
			}
			st := Status(vm, tc.vmi, nil, now)
			for typ, reason := range tc.want {
				c := vmCondition(st, typ)
				if c == nil || c.Reason != reason {
					t.Errorf("condition %s = %+v, want reason %s", typ, c, reason)
				}
			}
			for _, typ := range tc.notWant {
				if c := vmCondition(st, typ); c != nil {
					t.Errorf("condition %s = %+v, want none", typ, c)
				}
			}
		})
	}
	st := Status(vmWith(virtv1.RunStrategyAlways), syncFalse(vmiFor(starting), "ErrImagePull"), nil, now)
	if c := vmCondition(st, "Synchronized"); c == nil || c.Message != "message of ErrImagePull" || c.Status != "False" {
		t.Errorf("the VM must carry the pod's message: %+v", c)
	}
}
