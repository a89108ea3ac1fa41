package vm

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func vmWith(strategy virtv1.VirtualMachineRunStrategy) *virtv1.VirtualMachine {
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns", UID: "vm-uid"}}
	if strategy != "" {
		vm.Spec.RunStrategy = &strategy
	}
	return vm
}

// outcome names what became of the VM's VMI.
type outcome string

const (
	none       outcome = "no VMI"
	starting   outcome = "Scheduling"
	running    outcome = "Running"
	succeeded  outcome = "Succeeded"
	failed     outcome = "Failed"
	terminated outcome = "terminating"
)

func vmiFor(o outcome) *virtv1.VirtualMachineInstance {
	if o == none {
		return nil
	}
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns", UID: "vmi-uid"}}
	switch o {
	case terminated:
		vmi.Status.Phase = virtv1.Running
		t := metav1.NewTime(now)
		vmi.DeletionTimestamp = &t
	default:
		vmi.Status.Phase = virtv1.VirtualMachineInstancePhase(o)
	}
	return vmi
}

func TestDecideRunStrategies(t *testing.T) {
	C, D, N := ActionCreate, ActionDelete, ActionNone
	outcomes := []outcome{none, starting, running, succeeded, failed, terminated}
	table := map[virtv1.VirtualMachineRunStrategy][]Action{
		//                               none starting running succeeded failed terminating
		virtv1.RunStrategyAlways:         {C, N, N, D, D, N},
		virtv1.RunStrategyRerunOnFailure: {C, N, N, N, D, N},
		virtv1.RunStrategyOnce:           {C, N, N, N, N, N},
		virtv1.RunStrategyManual:         {N, N, N, N, N, N},
		virtv1.RunStrategyHalted:         {N, D, D, D, D, N},
	}
	for strategy, want := range table {
		for i, o := range outcomes {
			t.Run(fmt.Sprintf("%s/%s", strategy, o), func(t *testing.T) {
				d := Decide(vmWith(strategy), vmiFor(o), now)
				if d.Action != want[i] {
					t.Errorf("action = %s, want %s", d.Action, want[i])
				}
			})
		}
	}
}

func TestLegacyRunning(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		running *bool
		want    virtv1.VirtualMachineRunStrategy
	}{{&yes, virtv1.RunStrategyAlways}, {&no, virtv1.RunStrategyHalted}, {nil, virtv1.RunStrategyHalted}}
	for _, tt := range tests {
		vm := vmWith("")
		vm.Spec.Running = tt.running
		if got := RunStrategy(vm); got != tt.want {
			t.Errorf("running=%v: strategy %s, want %s", tt.running, got, tt.want)
		}
	}
}

func TestStateChangeRequests(t *testing.T) {
	stop := func(uid string) virtv1.VirtualMachineStateChangeRequest {
		return virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: uid}
	}
	start := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest}
	pausedStart := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest,
		Data: map[string]string{virtv1.StartRequestDataPausedKey: virtv1.StartRequestDataPausedTrue}}
	tests := []struct {
		name     string
		strategy virtv1.VirtualMachineRunStrategy
		reqs     []virtv1.VirtualMachineStateChangeRequest
		vmi      outcome
		want     Action
		wantPop  int
	}{
		{"manual start creates and pops", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{start}, none, ActionCreate, 1},
		{"manual start with a VMI pops", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{start}, running, ActionNone, 1},
		{"stop deletes, pops when gone", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{stop("")}, running, ActionDelete, 0},
		{"stop waits for termination", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{stop("vmi-uid")}, terminated, ActionNone, 0},
		{"stop of another VMI is stale", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{stop("old")}, running, ActionNone, 1},
		{"restart: stop first", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{stop("vmi-uid"), start}, running, ActionDelete, 0},
		{"restart: start once stopped", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{stop("vmi-uid"), start}, none, ActionCreate, 2},
		{"restart: start waits for old VMI to go", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{start}, terminated, ActionNone, 0},
		{"always + stop deletes (then restarts)", virtv1.RunStrategyAlways, []virtv1.VirtualMachineStateChangeRequest{stop("vmi-uid")}, running, ActionDelete, 0},
		{"halted + start runs (paused start)", virtv1.RunStrategyHalted, []virtv1.VirtualMachineStateChangeRequest{pausedStart}, none, ActionRun, 0},
		{"halted + start stops a VMI left first", virtv1.RunStrategyHalted, []virtv1.VirtualMachineStateChangeRequest{pausedStart}, succeeded, ActionDelete, 0},
		{"halted + start waits for it to go", virtv1.RunStrategyHalted, []virtv1.VirtualMachineStateChangeRequest{pausedStart}, terminated, ActionNone, 0},
		{"always serves the paused start", virtv1.RunStrategyAlways, []virtv1.VirtualMachineStateChangeRequest{pausedStart}, none, ActionCreate, 1},
		{"manual serves the paused start", virtv1.RunStrategyManual, []virtv1.VirtualMachineStateChangeRequest{pausedStart}, none, ActionCreate, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := vmWith(tt.strategy)
			vm.Status.StateChangeRequests = tt.reqs
			d := Decide(vm, vmiFor(tt.vmi), now)
			if d.Action != tt.want || d.PopRequests != tt.wantPop {
				t.Errorf("decision = %s pop %d, want %s pop %d", d.Action, d.PopRequests, tt.want, tt.wantPop)
			}
			wantPaused := d.Action == ActionCreate && startsPaused(tt.reqs[d.PopRequests-1])
			if d.StartPaused != wantPaused {
				t.Errorf("start paused = %v, want %v", d.StartPaused, wantPaused)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := map[int32]time.Duration{0: 0, 1: 10 * time.Second, 2: 40 * time.Second, 3: 90 * time.Second,
		5: 250 * time.Second, 6: 300 * time.Second, 100: 300 * time.Second, 1 << 30: 300 * time.Second}
	for n, w := range want {
		if got := Backoff(n); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, w)
		}
	}
}

func TestStartFailureBackoff(t *testing.T) {
	vm := vmWith(virtv1.RunStrategyAlways)
	failedVMI := vmiFor(failed)
	f := TrackStartFailure(nil, failedVMI, now)
	if f == nil || f.ConsecutiveFailCount != 1 || !f.RetryAfterTimestamp.Time.Equal(now.Add(10*time.Second)) {
		t.Fatalf("first failure = %+v", f)
	}
	if again := TrackStartFailure(f, failedVMI, now.Add(time.Second)); again != f {
		t.Fatalf("the same VMI counted twice: %+v", again)
	}
	second := vmiFor(failed)
	second.UID = "vmi-2"
	f2 := TrackStartFailure(f, second, now)
	if f2.ConsecutiveFailCount != 2 || !f2.RetryAfterTimestamp.Time.Equal(now.Add(40*time.Second)) {
		t.Fatalf("second failure = %+v", f2)
	}
	vm.Status.StartFailure = f2
	if d := Decide(vm, nil, now.Add(39*time.Second)); d.Action != ActionNone || d.RetryAfter != time.Second {
		t.Errorf("during backoff: %+v", d)
	}
	if got := PrintableStatus(vm, nil, now); got != virtv1.VirtualMachineStatusCrashLoopBackOff {
		t.Errorf("printable during backoff = %s", got)
	}
	if d := Decide(vm, nil, now.Add(40*time.Second)); d.Action != ActionCreate {
		t.Errorf("after backoff: %+v", d)
	}
	ran := vmiFor(failed)
	ran.Status.PhaseTransitionTimestamps = []virtv1.VirtualMachineInstancePhaseTransitionTimestamp{{Phase: virtv1.Running}}
	if TrackStartFailure(f2, ran, now) != nil {
		t.Errorf("a VMI that ran must clear the start failure")
	}
}

func TestPrintableStatus(t *testing.T) {
	paused := vmiFor(running)
	paused.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstancePaused, Status: "True"}}
	unsched := vmiFor(starting)
	unsched.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstancePodScheduled, Status: "False", Reason: "Unschedulable"}}
	pull := syncFalse(vmiFor(starting), "ErrImagePull")
	backoff := syncFalse(vmiFor(starting), "ImagePullBackOff")
	createFailed := syncFalse(vmiFor(outcome(virtv1.Pending)), "FailedCreate")
	unschedPull := syncFalse(vmiFor(starting), "ErrImagePull")
	unschedPull.Status.Conditions = append(unschedPull.Status.Conditions, unsched.Status.Conditions...)
	deletedVM := vmWith(virtv1.RunStrategyAlways)
	ts := metav1.NewTime(now)
	deletedVM.DeletionTimestamp = &ts
	tests := []struct {
		name string
		vm   *virtv1.VirtualMachine
		vmi  *virtv1.VirtualMachineInstance
		want virtv1.VirtualMachinePrintableStatus
	}{
		{"no VMI", vmWith(virtv1.RunStrategyHalted), nil, virtv1.VirtualMachineStatusStopped},
		{"pending", vmWith(virtv1.RunStrategyAlways), vmiFor(outcome(virtv1.Pending)), virtv1.VirtualMachineStatusStarting},
		{"scheduling", vmWith(virtv1.RunStrategyAlways), vmiFor(starting), virtv1.VirtualMachineStatusStarting},
		{"scheduled", vmWith(virtv1.RunStrategyAlways), vmiFor(outcome(virtv1.Scheduled)), virtv1.VirtualMachineStatusStarting},
		{"unschedulable", vmWith(virtv1.RunStrategyAlways), unsched, virtv1.VirtualMachineStatusUnschedulable},
		{"containerDisk image cannot be pulled", vmWith(virtv1.RunStrategyAlways), pull, virtv1.VirtualMachineStatusErrImagePull},
		{"kubelet backs off pulling", vmWith(virtv1.RunStrategyAlways), backoff, virtv1.VirtualMachineStatusImagePullBackOff},
		{"claim not found", vmWith(virtv1.RunStrategyAlways), syncFalse(vmiFor(outcome(virtv1.Pending)), "FailedPvcNotFound"),
			virtv1.VirtualMachineStatusPvcNotFound},
		{"claim not bound", vmWith(virtv1.RunStrategyAlways), syncFalse(vmiFor(outcome(virtv1.Pending)), "WaitingForVolumeBinding"),
			virtv1.VirtualMachineStatusWaitingForVolumeBinding},
		{"pod create refused is no image problem", vmWith(virtv1.RunStrategyAlways), createFailed, virtv1.VirtualMachineStatusStarting},
		{"unschedulable wins over the pull", vmWith(virtv1.RunStrategyAlways), unschedPull, virtv1.VirtualMachineStatusUnschedulable},
		{"running", vmWith(virtv1.RunStrategyAlways), vmiFor(running), virtv1.VirtualMachineStatusRunning},
		{"paused", vmWith(virtv1.RunStrategyAlways), paused, virtv1.VirtualMachineStatusPaused},
		{"stopping", vmWith(virtv1.RunStrategyHalted), vmiFor(terminated), virtv1.VirtualMachineStatusStopping},
		{"succeeded", vmWith(virtv1.RunStrategyManual), vmiFor(succeeded), virtv1.VirtualMachineStatusStopped},
		{"vm deleted", deletedVM, vmiFor(running), virtv1.VirtualMachineStatusTerminating},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PrintableStatus(tt.vm, tt.vmi, now); got != tt.want {
				t.Errorf("printableStatus = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestStatusConditions(t *testing.T) {
	vm := vmWith(virtv1.RunStrategyAlways)
	vmi := vmiFor(running)
	vmi.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstanceReady, Status: "True"}}
	st := Status(vm, vmi, nil, now)
	if !st.Ready || !st.Created || st.PrintableStatus != virtv1.VirtualMachineStatusRunning || st.RunStrategy != virtv1.RunStrategyAlways {
		t.Fatalf("status = %+v", st)
	}
	vm.Generation = 3
	vmi.Annotations = NewVMI(&virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Generation: 2}}).Annotations
	if st := Status(vm, vmi, nil, now); st.ObservedGeneration != 2 || st.DesiredGeneration != 3 {
		t.Errorf("generations observed %d desired %d, want 2 and 3", st.ObservedGeneration, st.DesiredGeneration)
	}
	vm.Status = st
	st = Status(vm, nil, &Failure{Reason: ReasonInstancetype, Message: "missing"}, now.Add(time.Minute))
	var failure, ready *virtv1.VirtualMachineCondition
	for i := range st.Conditions {
		switch st.Conditions[i].Type {
		case virtv1.VirtualMachineFailure:
			failure = &st.Conditions[i]
		case virtv1.VirtualMachineReady:
			ready = &st.Conditions[i]
		}
	}
	if failure == nil || failure.Reason != ReasonInstancetype || ready == nil || ready.Status != "False" {
		t.Fatalf("conditions = %+v", st.Conditions)
	}
	if st.Ready || st.Created {
		t.Errorf("ready/created without a VMI: %+v", st)
	}
}
