package vm

import (
	"time"

	virtv1 "kvirt.io/api/core/v1"
)

// Action is what the controller does to the VM's VMI.
type Action int

// Actions on the VMI.
const (
	ActionNone Action = iota
	ActionCreate
	ActionDelete
	// ActionRun sets a Halted VM's run strategy to Always (a Start request
	// for it is pending: virtctl start --paused), as upstream's controller does.
	ActionRun
)

func (a Action) String() string {
	return [...]string{"none", "create", "delete", "run"}[a]
}

// Start-failure backoff: 10 s × n², capped at 300 s, as upstream.
const (
	backoffBase = 10 * time.Second
	backoffMax  = 300 * time.Second
)

// Backoff is the wait before the next start after n consecutive start failures.
func Backoff(n int32) time.Duration {
	if n <= 0 {
		return 0
	}
	d := backoffBase * time.Duration(int64(n)*int64(n))
	if d > backoffMax || d <= 0 {
		return backoffMax
	}
	return d
}

// RunStrategy is the VM's effective strategy: spec.runStrategy, else the legacy
// spec.running (true means Always, false or absent Halted).
func RunStrategy(vm *virtv1.VirtualMachine) virtv1.VirtualMachineRunStrategy {
	if vm.Spec.RunStrategy != nil && *vm.Spec.RunStrategy != "" {
		return *vm.Spec.RunStrategy
	}
	if vm.Spec.Running != nil && *vm.Spec.Running {
		return virtv1.RunStrategyAlways
	}
	return virtv1.RunStrategyHalted
}

// Decision is what Decide wants done now.
type Decision struct {
	Action Action
	// PopRequests is how many state-change requests are done once Action succeeded.
	PopRequests int
	// RetryAfter asks to look again after this long (backoff still running).
	RetryAfter time.Duration
	// StartPaused creates the VMI with spec.startStrategy Paused: the Start
	// request served asked for it.
	StartPaused bool
}

// Decide is the VM controller's core: from the VM (with the start-failure already
// brought up to date by Status) and its VMI (nil when none), what to do at now.
// State-change requests are served first, in order; the runStrategy applies when
// none is pending.
func Decide(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, now time.Time) Decision {
	if vm.DeletionTimestamp != nil {
		if vmi != nil && vmi.DeletionTimestamp == nil {
			return Decision{Action: ActionDelete}
		}
		return Decision{}
	}
	if d, ok := haltedStart(vm, vmi); ok {
		return d
	}
	if d, pending := serveRequests(vm.Status.StateChangeRequests, vmi); pending {
		return d
	}
	return applyStrategy(vm, vmi, now)
}

// haltedStart: a Halted VM whose next request is a Start (virt-api's paused
// start) runs from now on: its run strategy becomes Always once any VMI left is
// gone, and the Always VM then serves the request.
func haltedStart(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (Decision, bool) {
	reqs := vm.Status.StateChangeRequests
	if RunStrategy(vm) != virtv1.RunStrategyHalted || len(reqs) == 0 || reqs[0].Action != virtv1.StartRequest {
		return Decision{}, false
	}
	switch {
	case vmi == nil:
		return Decision{Action: ActionRun}, true
	case vmi.DeletionTimestamp == nil:
		return Decision{Action: ActionDelete}, true
	}
	return Decision{}, true
}

// startsPaused reports whether a Start request asks for a paused VMI.
func startsPaused(r virtv1.VirtualMachineStateChangeRequest) bool {
	return r.Data[virtv1.StartRequestDataPausedKey] == virtv1.StartRequestDataPausedTrue
}

// serveRequests walks the queue: a Stop deletes the VMI it names (or the current
// one) and is done once that VMI is gone; a Start creates a VMI when none exists
// and is done once one does. It reports pending=false when the queue is drained.
func serveRequests(reqs []virtv1.VirtualMachineStateChangeRequest, vmi *virtv1.VirtualMachineInstance) (Decision, bool) {
	pop := 0
	for _, r := range reqs {
		switch r.Action {
		case virtv1.StopRequest:
			if vmi != nil && (r.UID == "" || r.UID == string(vmi.UID)) {
				if vmi.DeletionTimestamp == nil {
					return Decision{Action: ActionDelete, PopRequests: pop}, true
				}
				return Decision{PopRequests: pop}, true
			}
		case virtv1.StartRequest:
			if vmi == nil {
				return Decision{Action: ActionCreate, PopRequests: pop + 1, StartPaused: startsPaused(r)}, true
			}
			if vmi.DeletionTimestamp != nil {
				return Decision{PopRequests: pop}, true
			}
		}
		pop++
	}
	return Decision{PopRequests: pop}, pop > 0
}

func applyStrategy(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, now time.Time) Decision {
	strategy := RunStrategy(vm)
	if vmi != nil && vmi.DeletionTimestamp != nil {
		return Decision{}
	}
	switch strategy {
	case virtv1.RunStrategyHalted:
		if vmi != nil {
			return Decision{Action: ActionDelete}
		}
	case virtv1.RunStrategyAlways, virtv1.RunStrategyRerunOnFailure:
		if vmi == nil {
			return startWithBackoff(vm, now)
		}
		if vmi.Status.Phase == virtv1.Failed ||
			(strategy == virtv1.RunStrategyAlways && vmi.Status.Phase == virtv1.Succeeded) {
			return Decision{Action: ActionDelete}
		}
	case virtv1.RunStrategyOnce:
		if vmi == nil {
			return Decision{Action: ActionCreate}
		}
	}
	return Decision{}
}

// startWithBackoff creates the VMI unless the last start failure's retry time is
// still ahead.
func startWithBackoff(vm *virtv1.VirtualMachine, now time.Time) Decision {
	if f := vm.Status.StartFailure; f != nil && f.RetryAfterTimestamp != nil && now.Before(f.RetryAfterTimestamp.Time) {
		return Decision{RetryAfter: f.RetryAfterTimestamp.Sub(now)}
	}
	return Decision{Action: ActionCreate}
}
