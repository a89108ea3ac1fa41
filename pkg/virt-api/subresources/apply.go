package subresources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// jsonOp is an RFC 6902 operation with a value. The value is always sent: a
// test for null checks that the field is absent, and 0 is a grace period.
type jsonOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// removeOp is an RFC 6902 remove.
type removeOp struct {
	Op   string `json:"op"`
	Path string `json:"path"`
}

// vmiGracePatch sets the VMI's terminationGracePeriodSeconds to grace if it
// still holds the value read.
func vmiGracePatch(vmi *virtv1.VirtualMachineInstance, grace int64) ([]byte, error) {
	const path = "/spec/terminationGracePeriodSeconds"
	var old any
	if g := vmi.Spec.TerminationGracePeriodSeconds; g != nil {
		old = *g
	}
	return json.Marshal([]any{jsonOp{"test", path, old}, jsonOp{"add", path, grace}})
}

// requestsPatch adds the change's state change requests to the VM status if
// the pending ones are still those read, and clears a recorded start failure
// (a user's start or stop starts afresh), as upstream does. It returns nil when
// there is nothing to add.
func requestsPatch(vm *virtv1.VirtualMachine, c change) ([]byte, error) {
	if len(c.requests) == 0 {
		return nil, nil
	}
	if isZeroStatus(&vm.Status) {
		return json.Marshal([]any{jsonOp{"add", "/status", virtv1.VirtualMachineStatus{StateChangeRequests: c.requests}}})
	}
	const path = "/status/stateChangeRequests"
	var old any
	if len(vm.Status.StateChangeRequests) > 0 {
		old = vm.Status.StateChangeRequests
	}
	reqs := c.requests
	if !c.replace {
		reqs = append(append([]virtv1.VirtualMachineStateChangeRequest{}, vm.Status.StateChangeRequests...), c.requests...)
	}
	ops := []any{jsonOp{"test", path, old}, jsonOp{"add", path, reqs}}
	if vm.Status.StartFailure != nil {
		ops = append(ops, removeOp{"remove", "/status/startFailure"})
	}
	return json.Marshal(ops)
}

func isZeroStatus(st *virtv1.VirtualMachineStatus) bool {
	raw, err := json.Marshal(st)
	return err == nil && string(raw) == "{}"
}

// errStale says an object changed between read and write (a failed JSON-patch
// test): the request is decided again on a fresh read.
var errStale = apierrors.NewConflict(schema.GroupResource{Group: virtv1.GroupName, Resource: "virtualmachine"}, "",
	errors.New("the object has been modified; please apply your changes to the latest version and try again"))

// staleOrErr maps a failed JSON-patch test to errStale: the apiserver answers
// 422 "testing value <path> failed: test failed".
func staleOrErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var st apierrors.APIStatus
	if errors.As(err, &st) && st.Status().Code == http.StatusUnprocessableEntity &&
		strings.Contains(st.Status().Message, "testing value") {
		return errStale
	}
	if apierrors.IsConflict(err) {
		return errStale
	}
	return fmt.Errorf("%s: %w", what, err)
}

// apply writes a change in upstream's order: the VMI's grace period, the run
// strategy (a merge patch of spec), the state change requests (a JSON patch of
// the status guarded by a test of the pending requests). A guard that fails
// returns errStale.
func (s *Server) apply(ctx context.Context, vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, c change, dryRun []string) error {
	opts := metav1.PatchOptions{DryRun: dryRun}
	if c.vmiGrace != nil && vmi != nil {
		patch, err := vmiGracePatch(vmi, *c.vmiGrace)
		if err != nil {
			return fmt.Errorf("encode vmi grace period patch: %w", err)
		}
		_, err = s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(ctx, vmi.Name, types.JSONPatchType, patch, opts)
		if err := staleOrErr(err, "patch vmi grace period"); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	vms := s.cfg.Kvirt.KubevirtV1().VirtualMachines(vm.Namespace)
	if c.runStrategy != "" {
		spec := map[string]any{"runStrategy": c.runStrategy}
		if vm.Spec.RunStrategy == nil && vm.Spec.Running != nil {
			spec = map[string]any{"running": c.runStrategy == virtv1.RunStrategyAlways}
		}
		patch, _ := json.Marshal(map[string]any{"spec": spec})
		if _, err := vms.Patch(ctx, vm.Name, types.MergePatchType, patch, opts); err != nil {
			return fmt.Errorf("patch vm run strategy: %w", err)
		}
	}
	patch, err := requestsPatch(vm, c)
	if err != nil || patch == nil {
		return err
	}
	_, err = vms.Patch(ctx, vm.Name, types.JSONPatchType, patch, opts, "status")
	return staleOrErr(err, "patch vm state change requests")
}
