package subresources

import (
	"net/http"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func vmWith(rs virtv1.VirtualMachineRunStrategy) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm"}, Spec: virtv1.VirtualMachineSpec{RunStrategy: &rs}}
}

var runningVMI = &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{UID: "u1"}, Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Running}}

func TestLifecycleDecisions(t *testing.T) {
	cases := []struct {
		name     string
		decide   func() (change, *refusal)
		strategy virtv1.VirtualMachineRunStrategy
		requests []virtv1.StateChangeRequestAction
		code     int
	}{
		{"start Halted flips to Always", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyHalted), nil, false) }, virtv1.RunStrategyAlways, nil, 0},
		{"start running=false flips", func() (change, *refusal) {
			return decideStart(&virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{Running: ptr.To(false)}}, nil, false)
		}, virtv1.RunStrategyAlways, nil, 0},
		{"start Manual requests Start", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyManual), nil, false) }, "", []virtv1.StateChangeRequestAction{virtv1.StartRequest}, 0},
		{"start Manual running conflicts", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyManual), runningVMI, false) }, "", nil, http.StatusConflict},
		{"start Always conflicts", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyAlways), nil, false) }, "", nil, http.StatusConflict},
		{"start Once conflicts", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyOnce), nil, false) }, "", nil, http.StatusConflict},
		{"start with pending request conflicts", func() (change, *refusal) {
			vm := vmWith(virtv1.RunStrategyHalted)
			vm.Status.StateChangeRequests = []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StopRequest}}
			return decideStart(vm, nil, false)
		}, "", nil, http.StatusConflict},
		{"stop Always flips to Halted", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyAlways), nil, nil) }, virtv1.RunStrategyHalted, nil, 0},
		{"stop Once flips to Halted", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyOnce), nil, nil) }, virtv1.RunStrategyHalted, nil, 0},
		{"stop Manual requests Stop", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyManual), runningVMI, nil) }, "", []virtv1.StateChangeRequestAction{virtv1.StopRequest}, 0},
		{"stop Manual not running conflicts", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyManual), nil, nil) }, "", nil, http.StatusConflict},
		{"stop Halted conflicts", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyHalted), nil, nil) }, "", nil, http.StatusConflict},
		{"restart requests Stop then Start", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyAlways), runningVMI, nil) },
			"", []virtv1.StateChangeRequestAction{virtv1.StopRequest, virtv1.StartRequest}, 0},
		{"restart Halted conflicts", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyHalted), runningVMI, nil) }, "", nil, http.StatusConflict},
		{"restart not running conflicts", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyAlways), nil, nil) }, "", nil, http.StatusConflict},
		{"restart grace other than 0 refused", func() (change, *refusal) {
			return decideRestart(vmWith(virtv1.RunStrategyAlways), runningVMI, ptr.To[int64](5))
		}, "", nil, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ref := tc.decide()
			if tc.code != 0 {
				if ref == nil || ref.code != tc.code {
					t.Fatalf("want refusal %d, got %+v %+v", tc.code, c, ref)
				}
				return
			}
			if ref != nil {
				t.Fatalf("refused: %v", ref)
			}
			if c.runStrategy != tc.strategy || len(c.requests) != len(tc.requests) {
				t.Fatalf("change %+v", c)
			}
			for i, a := range tc.requests {
				if c.requests[i].Action != a {
					t.Fatalf("requests %+v", c.requests)
				}
			}
		})
	}
}

func TestStartPaused(t *testing.T) {
	c, ref := decideStart(vmWith(virtv1.RunStrategyHalted), nil, true)
	if ref != nil || !c.startPaused || c.runStrategy != virtv1.RunStrategyAlways {
		t.Fatalf("Halted paused start: %+v %v", c, ref)
	}
	c, ref = decideStart(vmWith(virtv1.RunStrategyManual), nil, true)
	if ref != nil || len(c.requests) != 1 || c.requests[0].Data[startPausedKey] != "true" {
		t.Fatalf("Manual paused start: %+v %v", c, ref)
	}
}
