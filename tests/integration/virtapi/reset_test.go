package virtapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// testReset: the reset route is served through the aggregator with RBAC (an
// edit user may, a view user may not) and upstream's refusal of a VMI that
// does not run.
func testReset(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "pending"}, Spec: minimalSpec()}
	if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, vmi, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindClusterRole(t, e, ns, "carol", "kubevirt.io:edit")
	bindClusterRole(t, e, ns, "bob", "kubevirt.io:view")
	refusedWith(t, userClient(t, e, "carol").ResetVMI(ctx, ns, "pending"), http.StatusBadRequest,
		"Failed to reset non-running VMI with phase Pending: Unable to connect to VirtualMachineInstance "+
			"because phase is Pending instead of Running or Scheduled")
	err := userClient(t, e, "bob").ResetVMI(ctx, ns, "pending")
	if !isStatus(err, http.StatusForbidden) || !strings.Contains(err.Error(), "virtualmachineinstances/reset") {
		t.Errorf("view user's reset: %v, want 403 naming virtualmachineinstances/reset", err)
	}
}

// testPausedStart: a paused start leaves the VM's spec as it is (template and,
// for Halted, run strategy) and records upstream's Start request with
// paused data, which virt-controller serves.
func testPausedStart(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	c := userClient(t, e, "admin")
	grantLifecycle(t, e, ns, "admin")
	paused := true
	for _, strategy := range []virtv1.VirtualMachineRunStrategy{virtv1.RunStrategyHalted, virtv1.RunStrategyManual} {
		name := strings.ToLower(string(strategy))
		lifecycleVM(t, e, ns, name, strategy, false)
		if err := c.StartVM(ctx, ns, name, &virtv1.StartOptions{Paused: &paused}); err != nil {
			t.Fatalf("%s: paused start: %v", strategy, err)
		}
		vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *vm.Spec.RunStrategy != strategy || vm.Spec.Template.Spec.StartStrategy != nil {
			t.Errorf("%s: the VM spec changed: runStrategy %s, template startStrategy %v", strategy,
				*vm.Spec.RunStrategy, vm.Spec.Template.Spec.StartStrategy)
		}
		reqs := vm.Status.StateChangeRequests
		if len(reqs) != 1 || reqs[0].Action != virtv1.StartRequest ||
			reqs[0].Data[virtv1.StartRequestDataPausedKey] != virtv1.StartRequestDataPausedTrue {
			t.Errorf("%s: state change requests %+v, want one Start with paused=true", strategy, reqs)
		}
	}
}
