package subresources

import (
	"fmt"
	"net/http"

	virtv1 "kvirt.io/api/core/v1"
)

// change is what a lifecycle request does to a VM: set its run strategy (or the
// deprecated running flag) or append state change requests to its status.
type change struct {
	// runStrategy, when set, is written to spec.runStrategy (or spec.running for
	// VMs that use the flag).
	runStrategy virtv1.VirtualMachineRunStrategy
	// requests are appended to status.stateChangeRequests.
	requests []virtv1.VirtualMachineStateChangeRequest
	// startPaused also sets the template's startStrategy to Paused.
	startPaused bool
	// gracePeriod, with deleteVMI, deletes the running VMI with that grace period.
	deleteVMI   bool
	gracePeriod *int64
}

// refusal is a request that cannot be honoured in the VM's state.
type refusal struct {
	code int
	msg  string
}

func (r *refusal) Error() string { return r.msg }

func conflict(format string, args ...any) *refusal {
	return &refusal{code: http.StatusConflict, msg: fmt.Sprintf(format, args...)}
}

// runStrategyOf is spec.runStrategy, or what spec.running stands for.
func runStrategyOf(vm *virtv1.VirtualMachine) virtv1.VirtualMachineRunStrategy {
	if vm.Spec.RunStrategy != nil {
		return *vm.Spec.RunStrategy
	}
	if vm.Spec.Running != nil && *vm.Spec.Running {
		return virtv1.RunStrategyAlways
	}
	return virtv1.RunStrategyHalted
}

// vmiRunning reports whether a VMI exists and has not finished.
func vmiRunning(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi != nil && vmi.DeletionTimestamp == nil && !vmi.Status.Phase.IsFinal()
}

// startPausedKey marks a Start request whose VMI should start paused.
const startPausedKey = "paused"

// decideStart follows upstream: Halted flips to Always; Manual and
// RerunOnFailure get a Start request; Always and Once are already started.
// paused starts the guest paused (template startStrategy, or request data).
func decideStart(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, paused bool) (change, *refusal) {
	if len(vm.Status.StateChangeRequests) > 0 {
		return change{}, conflict("a state change is already underway for VM %s", vm.Name)
	}
	switch rs := runStrategyOf(vm); rs {
	case virtv1.RunStrategyHalted:
		return change{runStrategy: virtv1.RunStrategyAlways, startPaused: paused}, nil
	case virtv1.RunStrategyManual, virtv1.RunStrategyRerunOnFailure:
		if vmiRunning(vmi) {
			return change{}, conflict("VM %s is already running", vm.Name)
		}
		req := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest}
		if paused {
			req.Data = map[string]string{startPausedKey: "true"}
		}
		return change{requests: []virtv1.VirtualMachineStateChangeRequest{req}}, nil
	default:
		return change{}, conflict("VM %s is already running (runStrategy %s)", vm.Name, rs)
	}
}

// decideStop follows upstream: Always and Once flip to Halted; Manual and
// RerunOnFailure get a Stop request for the running VMI; a Halted VM with a
// VMI left over can only be force-stopped with a grace period.
func decideStop(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, grace *int64) (change, *refusal) {
	if len(vm.Status.StateChangeRequests) > 0 {
		return change{}, conflict("a state change is already underway for VM %s", vm.Name)
	}
	switch rs := runStrategyOf(vm); rs {
	case virtv1.RunStrategyAlways, virtv1.RunStrategyOnce, virtv1.RunStrategyWaitAsReceiver:
		return change{runStrategy: virtv1.RunStrategyHalted, deleteVMI: grace != nil && vmiRunning(vmi), gracePeriod: grace}, nil
	case virtv1.RunStrategyManual, virtv1.RunStrategyRerunOnFailure:
		if !vmiRunning(vmi) {
			return change{}, conflict("VM %s is not running", vm.Name)
		}
		return change{
			requests:  []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StopRequest, UID: string(vmi.UID)}},
			deleteVMI: grace != nil, gracePeriod: grace,
		}, nil
	default:
		if grace != nil && vmiRunning(vmi) {
			return change{deleteVMI: true, gracePeriod: grace}, nil
		}
		return change{}, conflict("VM %s is not running", vm.Name)
	}
}

// decideRestart follows upstream: a Stop of the current VMI then a Start; not
// for Halted or Once VMs, and only while a VMI runs. A grace period of 0 also
// force-deletes the VMI.
func decideRestart(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, grace *int64) (change, *refusal) {
	rs := runStrategyOf(vm)
	if rs == virtv1.RunStrategyHalted || rs == virtv1.RunStrategyOnce {
		return change{}, conflict("runStrategy %s does not support restart requests", rs)
	}
	if grace != nil && *grace != 0 {
		return change{}, &refusal{code: http.StatusBadRequest, msg: "gracePeriodSeconds may only be 0 (force restart)"}
	}
	if len(vm.Status.StateChangeRequests) > 0 {
		return change{}, conflict("a state change is already underway for VM %s", vm.Name)
	}
	if !vmiRunning(vmi) {
		return change{}, conflict("VM %s is not running", vm.Name)
	}
	return change{
		requests: []virtv1.VirtualMachineStateChangeRequest{
			{Action: virtv1.StopRequest, UID: string(vmi.UID)}, {Action: virtv1.StartRequest},
		},
		deleteVMI: grace != nil, gracePeriod: grace,
	}, nil
}
