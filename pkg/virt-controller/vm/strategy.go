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
)

func (a Action) String() string {
	return [...]string{"none", "create", "delete"}[a]
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
	if d, pending := serveRequests(vm.Status.StateChangeRequests, vmi); pending {
		return d
	}
	return applyStrategy(vm, vmi, now)
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
				return Decision{Action: ActionCreate, PopRequests: pop + 1}, true
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
