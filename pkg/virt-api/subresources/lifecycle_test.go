package subresources

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func vmWith(rs virtv1.VirtualMachineRunStrategy) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm"}, Spec: virtv1.VirtualMachineSpec{RunStrategy: &rs}}
}

func vmiIn(phase virtv1.VirtualMachineInstancePhase) *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{UID: "u1"}, Status: virtv1.VirtualMachineInstanceStatus{Phase: phase},
		Spec: virtv1.VirtualMachineInstanceSpec{TerminationGracePeriodSeconds: ptr.To[int64](30)}}
}

var runningVMI = vmiIn(virtv1.Running)

func pending(vm *virtv1.VirtualMachine) *virtv1.VirtualMachine {
	vm.Status.StateChangeRequests = []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StartRequest}}
	return vm
}

type want struct {
	strategy virtv1.VirtualMachineRunStrategy
	requests []virtv1.StateChangeRequestAction
	replace  bool
	grace    *int64
	code     int
	msg      string
}

func TestLifecycleDecisions(t *testing.T) {
	stop, start := virtv1.StopRequest, virtv1.StartRequest
	zero := ptr.To[int64](0)
	cases := []struct {
		name   string
		decide func() (change, *refusal)
		want   want
	}{
		{"start Halted flips to Always", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyHalted), nil, false) },
			want{strategy: virtv1.RunStrategyAlways}},
		{"start running=false flips", func() (change, *refusal) {
			return decideStart(&virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{Running: ptr.To(false)}}, nil, false)
		}, want{strategy: virtv1.RunStrategyAlways}},
		{"start Manual requests Start", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyManual), nil, false) },
			want{requests: []virtv1.StateChangeRequestAction{start}}},
		{"start Manual after the guest shut down: Stop it, then Start", func() (change, *refusal) {
			return decideStart(vmWith(virtv1.RunStrategyManual), vmiIn(virtv1.Succeeded), false)
		}, want{requests: []virtv1.StateChangeRequestAction{stop, start}}},
		{"start Manual running", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyManual), runningVMI, false) },
			want{code: 409, msg: "VM is already running"}},
		{"start Halted with a VMI still running", func() (change, *refusal) {
			return decideStart(vmWith(virtv1.RunStrategyHalted), vmiIn(virtv1.Scheduling), false)
		}, want{code: 409, msg: "VM is already running"}},
		{"start Always", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyAlways), nil, false) },
			want{code: 409, msg: "Always does not support manual start requests"}},
		{"start Once", func() (change, *refusal) { return decideStart(vmWith(virtv1.RunStrategyOnce), nil, false) },
			want{code: 409, msg: "Once does not support manual start requests"}},
		{"start RerunOnFailure after a failure", func() (change, *refusal) {
			return decideStart(vmWith(virtv1.RunStrategyRerunOnFailure), vmiIn(virtv1.Failed), false)
		}, want{code: 409, msg: "RerunOnFailure does not support starting VM from failed state"}},
		{"start with a pending request", func() (change, *refusal) {
			return decideStart(pending(vmWith(virtv1.RunStrategyManual)), nil, false)
		}, want{code: 409, msg: "unable to complete request: stop/start already underway"}},
		{"stop Always flips to Halted", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyAlways), runningVMI, nil) },
			want{strategy: virtv1.RunStrategyHalted}},
		{"force stop Always also shortens the VMI grace", func() (change, *refusal) {
			return decideStop(vmWith(virtv1.RunStrategyAlways), runningVMI, zero)
		}, want{strategy: virtv1.RunStrategyHalted, grace: zero}},
		{"stop Once flips to Halted", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyOnce), nil, nil) },
			want{strategy: virtv1.RunStrategyHalted}},
		{"stop Manual requests Stop, replacing pending ones", func() (change, *refusal) {
			return decideStop(pending(vmWith(virtv1.RunStrategyManual)), runningVMI, nil)
		}, want{requests: []virtv1.StateChangeRequestAction{stop}, replace: true}},
		{"stop Manual not running", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyManual), nil, nil) },
			want{code: 409, msg: "VM is not running"}},
		{"stop Halted without a VMI", func() (change, *refusal) { return decideStop(vmWith(virtv1.RunStrategyHalted), nil, nil) },
			want{code: 409, msg: "VM is not running"}},
		{"stop Halted again without a grace period", func() (change, *refusal) {
			return decideStop(vmWith(virtv1.RunStrategyHalted), runningVMI, nil)
		}, want{code: 409, msg: "Halted only supports manual stop requests with a shorter graceperiod"}},
		{"stop Halted again with a longer grace period", func() (change, *refusal) {
			return decideStop(vmWith(virtv1.RunStrategyHalted), runningVMI, ptr.To[int64](30))
		}, want{code: 409, msg: "Halted only supports manual stop requests with a shorter graceperiod"}},
		{"force stop of a Halted VM still stopping", func() (change, *refusal) {
			return decideStop(vmWith(virtv1.RunStrategyHalted), runningVMI, zero)
		}, want{requests: []virtv1.StateChangeRequestAction{stop}, replace: true, grace: zero}},
		{"stop with a negative grace", func() (change, *refusal) {
			return decideStop(vmWith(virtv1.RunStrategyAlways), runningVMI, ptr.To[int64](-1))
		}, want{code: 400, msg: "gracePeriod has to be greater or equal to 0"}},
		{"restart requests Stop then Start", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyAlways), runningVMI, nil) },
			want{requests: []virtv1.StateChangeRequestAction{stop, start}}},
		{"force restart shortens the VMI grace", func() (change, *refusal) {
			return decideRestart(vmWith(virtv1.RunStrategyManual), runningVMI, zero)
		}, want{requests: []virtv1.StateChangeRequestAction{stop, start}, grace: zero}},
		{"restart Halted", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyHalted), runningVMI, nil) },
			want{code: 409, msg: "RunStategy Halted does not support manual restart requests"}},
		{"restart without a VMI", func() (change, *refusal) { return decideRestart(vmWith(virtv1.RunStrategyAlways), nil, nil) },
			want{code: 409, msg: "VM is not running: Halted"}},
		{"restart with a pending request", func() (change, *refusal) {
			return decideRestart(pending(vmWith(virtv1.RunStrategyAlways)), runningVMI, nil)
		}, want{code: 409, msg: "unable to complete request: stop/start already underway"}},
		{"restart grace other than 0", func() (change, *refusal) {
			return decideRestart(vmWith(virtv1.RunStrategyAlways), runningVMI, ptr.To[int64](5))
		}, want{code: 400, msg: "For force restart, only gracePeriod=0 is supported for now"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ref := tc.decide()
			checkDecision(t, c, ref, tc.want)
		})
	}
}

func checkDecision(t *testing.T, c change, ref *refusal, w want) {
	t.Helper()
	if w.code != 0 {
		if ref == nil || ref.code != w.code || ref.msg != w.msg {
			t.Fatalf("want refusal %d %q, got %+v %+v", w.code, w.msg, c, ref)
		}
		return
	}
	if ref != nil {
		t.Fatalf("refused: %v", ref)
	}
	if c.runStrategy != w.strategy || len(c.requests) != len(w.requests) || c.replace != w.replace {
		t.Fatalf("change %+v, want %+v", c, w)
	}
	if (c.vmiGrace == nil) != (w.grace == nil) || (c.vmiGrace != nil && *c.vmiGrace != *w.grace) {
		t.Fatalf("vmi grace %v, want %v", c.vmiGrace, w.grace)
	}
	for i, a := range w.requests {
		if c.requests[i].Action != a {
			t.Fatalf("requests %+v", c.requests)
		}
	}
}

// TestStartPaused: a paused start never rewrites the VM (its template or, for
// Halted, its run strategy): it is a Start request with upstream's data, which
// virt-controller serves.
func TestStartPaused(t *testing.T) {
	pausedStart := func(c change) bool {
		return len(c.requests) == 1 && c.requests[0].Action == virtv1.StartRequest &&
			c.requests[0].Data[virtv1.StartRequestDataPausedKey] == virtv1.StartRequestDataPausedTrue
	}
	for _, rs := range []virtv1.VirtualMachineRunStrategy{virtv1.RunStrategyHalted, virtv1.RunStrategyManual} {
		c, ref := decideStart(vmWith(rs), nil, true)
		if ref != nil || !pausedStart(c) || c.runStrategy != "" {
			t.Errorf("%s paused start: %+v %v", rs, c, ref)
		}
	}
	busy := vmWith(virtv1.RunStrategyHalted)
	busy.Status.StateChangeRequests = []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StartRequest}}
	if _, ref := decideStart(busy, nil, true); ref == nil || ref.msg != msgUnderway {
		t.Errorf("Halted paused start with a pending request: %v, want %q", ref, msgUnderway)
	}
	if c, ref := decideStart(vmWith(virtv1.RunStrategyHalted), nil, false); ref != nil || c.runStrategy != virtv1.RunStrategyAlways || len(c.requests) != 0 {
		t.Errorf("Halted plain start: %+v %v", c, ref)
	}
}

func TestPatches(t *testing.T) {
	stopReq := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: "u1"}
	startReq := virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest}
	withStatus := vmWith(virtv1.RunStrategyManual)
	withStatus.Status.PrintableStatus = virtv1.VirtualMachineStatusRunning
	failed := vmWith(virtv1.RunStrategyManual)
	failed.Status.StateChangeRequests = []virtv1.VirtualMachineStateChangeRequest{startReq}
	failed.Status.StartFailure = &virtv1.VirtualMachineStartFailure{ConsecutiveFailCount: 2}
	tests := []struct {
		name string
		vm   *virtv1.VirtualMachine
		c    change
		want string
	}{
		{"empty status: add it whole", vmWith(virtv1.RunStrategyManual), change{requests: []virtv1.VirtualMachineStateChangeRequest{startReq}},
			`[{"op":"add","path":"/status","value":{"stateChangeRequests":[{"action":"Start"}]}}]`},
		{"none pending: test for null, add", withStatus, change{requests: []virtv1.VirtualMachineStateChangeRequest{stopReq, startReq}},
			`[{"op":"test","path":"/status/stateChangeRequests","value":null},` +
				`{"op":"add","path":"/status/stateChangeRequests","value":[{"action":"Stop","uid":"u1"},{"action":"Start"}]}]`},
		{"stop replaces pending ones and clears the start failure", failed, change{requests: []virtv1.VirtualMachineStateChangeRequest{stopReq}, replace: true},
			`[{"op":"test","path":"/status/stateChangeRequests","value":[{"action":"Start"}]},` +
				`{"op":"add","path":"/status/stateChangeRequests","value":[{"action":"Stop","uid":"u1"}]},` +
				`{"op":"remove","path":"/status/startFailure"}]`},
		{"no requests: no patch", withStatus, change{runStrategy: virtv1.RunStrategyHalted}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := requestsPatch(tt.vm, tt.c)
			if err != nil || string(got) != tt.want {
				t.Errorf("patch = %s (%v)\nwant    %s", got, err, tt.want)
			}
		})
	}
	got, _ := vmiGracePatch(runningVMI, 0)
	if want := `[{"op":"test","path":"/spec/terminationGracePeriodSeconds","value":30},` +
		`{"op":"add","path":"/spec/terminationGracePeriodSeconds","value":0}]`; string(got) != want {
		t.Errorf("grace patch = %s\nwant %s", got, want)
	}
	got, _ = vmiGracePatch(&virtv1.VirtualMachineInstance{}, 5)
	if want := `[{"op":"test","path":"/spec/terminationGracePeriodSeconds","value":null},` +
		`{"op":"add","path":"/spec/terminationGracePeriodSeconds","value":5}]`; string(got) != want {
		t.Errorf("grace patch = %s\nwant %s", got, want)
	}
}

// A refusal about a VM is upstream's Conflict Status.
func TestRefusalStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	ref := conflict(msgVMRunning)
	ref.vm = "testvm"
	refuse(rec, ref)
	var st metav1.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusConflict || st.Reason != metav1.StatusReasonConflict ||
		st.Message != `Operation cannot be fulfilled on virtualmachine.kubevirt.io "testvm": VM is already running` ||
		st.Details == nil || st.Details.Kind != "virtualmachine" || st.Details.Group != "kubevirt.io" {
		t.Errorf("status %d %+v", rec.Code, st)
	}
}
