package subresources

import (
	"fmt"
	"net/http"

	virtv1 "kvirt.io/api/core/v1"
)

// change is what a lifecycle request does to a VM: shorten its VMI's grace
// period, set its run strategy (or the deprecated running flag), append state
// change requests to its status.
type change struct {
	// vmiGrace, when set, is first written to the running VMI's
	// spec.terminationGracePeriodSeconds, so virt-handler stops the guest within
	// it (0: at once) — a forced stop or restart.
	vmiGrace *int64
	// runStrategy, when set, is written to spec.runStrategy (or spec.running for
	// VMs that use the flag).
	runStrategy virtv1.VirtualMachineRunStrategy
	// requests are added to status.stateChangeRequests; with replace they take
	// the place of pending ones (a stop overrides whatever was underway).
	requests []virtv1.VirtualMachineStateChangeRequest
	replace  bool
}

// refusal is a request that cannot be honoured in the VM's state. Its messages
// are upstream's, word for word: scripts and users match on them.
type refusal struct {
	code int
	msg  string
	// vm names the VM refused, for upstream's Conflict Status.
	vm string
}

func (r *refusal) Error() string { return r.msg }

func conflict(format string, args ...any) *refusal {
	return &refusal{code: http.StatusConflict, msg: fmt.Sprintf(format, args...)}
}

func badRequest(msg string) *refusal { return &refusal{code: http.StatusBadRequest, msg: msg} }

// Upstream's refusal messages.
const (
	msgVMRunning    = "VM is already running"
	msgVMNotRunning = "VM is not running"
	msgUnderway     = "unable to complete request: stop/start already underway"
)

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

// vmiActive reports what upstream calls a running VMI for start: one that exists,
// has a phase and has not finished (a terminating one still counts).
func vmiActive(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi != nil && !vmi.Status.Phase.IsFinal() && vmi.Status.Phase != virtv1.Unknown &&
		vmi.Status.Phase != virtv1.VmPhaseUnset
}

// vmiRunning reports whether a VMI exists and has not finished (stop's test).
func vmiRunning(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi != nil && !vmi.Status.Phase.IsFinal()
}

// decideStart follows upstream: Halted flips to Always; Manual and
// RerunOnFailure get a Start request (after a Stop of a finished VMI); Always
// and Once start by themselves. paused starts the guest paused through the
// Start request's data, never by rewriting the template: a Halted VM gets only
// the Start request, and virt-controller flips its run strategy to Always when
// it serves it and creates the VMI with spec.startStrategy Paused.
func decideStart(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, paused bool) (change, *refusal) {
	if vmiActive(vmi) {
		return change{}, conflict(msgVMRunning)
	}
	start := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest}
	if paused {
		start.Data = map[string]string{virtv1.StartRequestDataPausedKey: virtv1.StartRequestDataPausedTrue}
	}
	switch rs := runStrategyOf(vm); rs {
	case virtv1.RunStrategyHalted:
		if !paused {
			return change{runStrategy: virtv1.RunStrategyAlways}, nil
		}
		if len(vm.Status.StateChangeRequests) > 0 {
			return change{}, conflict(msgUnderway)
		}
		return change{requests: []virtv1.VirtualMachineStateChangeRequest{start}}, nil
	case virtv1.RunStrategyManual, virtv1.RunStrategyRerunOnFailure:
		if rs == virtv1.RunStrategyRerunOnFailure && vmi != nil && vmi.Status.Phase == virtv1.Failed {
			return change{}, conflict("%s does not support starting VM from failed state", rs)
		}
		if len(vm.Status.StateChangeRequests) > 0 {
			return change{}, conflict(msgUnderway)
		}
		c := change{requests: []virtv1.VirtualMachineStateChangeRequest{start}}
		if vmi != nil {
			// A finished VMI is still there: stop it first, then start anew.
			stop := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: string(vmi.UID)}
			c.requests = []virtv1.VirtualMachineStateChangeRequest{stop, start}
		}
		return c, nil
	default:
		return change{}, conflict("%s does not support manual start requests", rs)
	}
}

// decideStop follows upstream: Always and Once flip to Halted; Manual and
// RerunOnFailure get a Stop request for the running VMI (replacing pending
// ones); a Halted VM whose VMI still runs may only be stopped again with a
// shorter grace period. A grace period is first written to the VMI.
func decideStop(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, grace *int64) (change, *refusal) {
	if grace != nil && *grace < 0 {
		return change{}, badRequest("gracePeriod has to be greater or equal to 0")
	}
	c := change{}
	if grace != nil && vmiRunning(vmi) {
		c.vmiGrace = grace
	}
	stop := []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StopRequest}}
	switch rs := runStrategyOf(vm); rs {
	case virtv1.RunStrategyAlways, virtv1.RunStrategyOnce, virtv1.RunStrategyWaitAsReceiver:
		c.runStrategy = virtv1.RunStrategyHalted
		return c, nil
	case virtv1.RunStrategyHalted:
		if !vmiRunning(vmi) {
			return change{}, conflict(msgVMNotRunning)
		}
		old := vmi.Spec.TerminationGracePeriodSeconds
		if grace == nil || (old != nil && *grace >= *old) {
			return change{}, conflict("%s only supports manual stop requests with a shorter graceperiod", rs)
		}
	default: // Manual, RerunOnFailure
		if !vmiRunning(vmi) {
			return change{}, conflict(msgVMNotRunning)
		}
	}
	stop[0].UID = string(vmi.UID)
	c.requests, c.replace = stop, true
	return c, nil
}

// decideRestart follows upstream: a Stop of the current VMI then a Start; not
// for Halted or Once VMs, and only while a VMI exists. A grace period of 0
// (force) is first written to the VMI, so virt-handler destroys the domain at
// once.
func decideRestart(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, grace *int64) (change, *refusal) {
	if grace != nil && *grace > 0 {
		return change{}, badRequest("For force restart, only gracePeriod=0 is supported for now")
	}
	if grace != nil && *grace < 0 {
		return change{}, badRequest("gracePeriod has to be greater or equal to 0")
	}
	rs := runStrategyOf(vm)
	if rs == virtv1.RunStrategyHalted || rs == virtv1.RunStrategyOnce {
		// sic: upstream's message spells it "RunStategy".
		return change{}, conflict("RunStategy %s does not support manual restart requests", rs)
	}
	if vmi == nil {
		return change{}, conflict("%s: %s", msgVMNotRunning, virtv1.RunStrategyHalted)
	}
	if len(vm.Status.StateChangeRequests) > 0 {
		return change{}, conflict(msgUnderway)
	}
	c := change{requests: []virtv1.VirtualMachineStateChangeRequest{
		{Action: virtv1.StopRequest, UID: string(vmi.UID)}, {Action: virtv1.StartRequest},
	}}
	if grace != nil && vmiRunning(vmi) {
		c.vmiGrace = grace
	}
	return c, nil
}
