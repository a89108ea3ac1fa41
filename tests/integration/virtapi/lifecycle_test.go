package virtapi

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// lifecycleVM creates a VM with strategy and, when running, its VMI in phase
// Running as the VM controller and virt-handler would leave it.
func lifecycleVM(t *testing.T, e env, ns, name string, strategy virtv1.VirtualMachineRunStrategy, running bool) *virtv1.VirtualMachineInstance {
	t.Helper()
	ctx := context.Background()
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(strategy), Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: minimalSpec()}}}
	if _, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create VM: %v", err)
	}
	if !running {
		return nil
	}
	vmi, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx,
		&virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: minimalSpec()}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create VMI: %v", err)
	}
	return setRunning(t, e, vmi)
}

// setRunning moves a VMI to Running as virt-handler (the webhook reverts status
// edits by anyone else).
func setRunning(t *testing.T, e env, vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	t.Helper()
	cfg := rest.CopyConfig(e.admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + serviceNamespace + ":" + rbac.HandlerName,
		Groups: []string{"system:serviceaccounts", "system:authenticated"}}
	handler := kvirtclient.NewForConfigOrDie(cfg)
	out, err := handler.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(context.Background(), vmi.Name,
		types.MergePatchType, []byte(`{"status":{"phase":"Running"}}`), metav1.PatchOptions{})
	if err != nil || out.Status.Phase != virtv1.Running {
		t.Fatalf("VMI Running: %v", err)
	}
	return out
}

// refusedWith checks err is upstream's Status for a refused request.
func refusedWith(t *testing.T, err error, code int32, msg string) {
	t.Helper()
	var st apierrors.APIStatus
	if !errorsAs(err, &st) {
		t.Fatalf("want %d %q, got %v", code, msg, err)
	}
	if s := st.Status(); s.Code != code || s.Message != msg {
		t.Fatalf("got %d %q\nwant %d %q", s.Code, s.Message, code, msg)
	}
}

func testUpstreamRefusals(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	c := userClient(t, e, "admin")
	grantLifecycle(t, e, ns, "admin")
	lifecycleVM(t, e, ns, "always", virtv1.RunStrategyAlways, false)
	lifecycleVM(t, e, ns, "halted", virtv1.RunStrategyHalted, false)
	lifecycleVM(t, e, ns, "manual", virtv1.RunStrategyManual, true)
	lifecycleVM(t, e, ns, "once", virtv1.RunStrategyOnce, false)
	conflict := func(vm, msg string) string {
		return fmt.Sprintf("Operation cannot be fulfilled on virtualmachine.kubevirt.io %q: %s", vm, msg)
	}
	refusedWith(t, c.StartVM(ctx, ns, "always", &virtv1.StartOptions{}), 409, conflict("always", "Always does not support manual start requests"))
	refusedWith(t, c.StartVM(ctx, ns, "manual", &virtv1.StartOptions{}), 409, conflict("manual", "VM is already running"))
	refusedWith(t, c.StopVM(ctx, ns, "halted", &virtv1.StopOptions{}), 409, conflict("halted", "VM is not running"))
	refusedWith(t, c.RestartVM(ctx, ns, "halted", &virtv1.RestartOptions{}), 409,
		conflict("halted", "RunStategy Halted does not support manual restart requests"))
	refusedWith(t, c.RestartVM(ctx, ns, "always", &virtv1.RestartOptions{}), 409, conflict("always", "VM is not running: Halted"))
	refusedWith(t, c.RestartVM(ctx, ns, "manual", &virtv1.RestartOptions{GracePeriodSeconds: ptr.To[int64](3)}), 400,
		"For force restart, only gracePeriod=0 is supported for now")
	refusedWith(t, c.StartVM(ctx, ns, "once", &virtv1.StartOptions{}), 409, conflict("once", "Once does not support manual start requests"))
}

// A forced stop writes grace 0 to the VMI before halting the VM, so virt-handler
// destroys the domain at once instead of waiting out the grace period.
func testForceStop(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	grantLifecycle(t, e, ns, "alice")
	alice := userClient(t, e, "alice")
	lifecycleVM(t, e, ns, "vm", virtv1.RunStrategyAlways, true)
	if err := alice.StopVM(ctx, ns, "vm", &virtv1.StopOptions{GracePeriod: ptr.To[int64](0)}); err != nil {
		t.Fatalf("force stop: %v", err)
	}
	vmi, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Get(ctx, "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g := vmi.Spec.TerminationGracePeriodSeconds; g == nil || *g != 0 {
		t.Fatalf("VMI terminationGracePeriodSeconds %v, want 0", g)
	}
	vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx, "vm", metav1.GetOptions{})
	if err != nil || *vm.Spec.RunStrategy != virtv1.RunStrategyHalted {
		t.Fatalf("runStrategy %v (%v), want Halted", vm.Spec.RunStrategy, err)
	}
	// The VMI still stops (terminating, say): a second forced stop of the
	// Halted VM with a shorter grace is a Stop request for that VMI.
	lifecycleVM(t, e, ns, "slow", virtv1.RunStrategyHalted, true)
	if err := alice.StopVM(ctx, ns, "slow", &virtv1.StopOptions{GracePeriod: ptr.To[int64](1)}); err != nil {
		t.Fatalf("force stop of a Halted VM: %v", err)
	}
	slow, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx, "slow", metav1.GetOptions{})
	if err != nil || len(slow.Status.StateChangeRequests) != 1 || slow.Status.StateChangeRequests[0].Action != virtv1.StopRequest {
		t.Fatalf("state change requests %+v (%v)", slow.Status.StateChangeRequests, err)
	}
}

// Restarting a Manual VM while its status is rewritten all the time (as
// virt-controller does) never hands the user a conflict.
func testRestartUnderStatusUpdates(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	grantLifecycle(t, e, ns, "alice")
	alice := userClient(t, e, "alice")
	lifecycleVM(t, e, ns, "vm", virtv1.RunStrategyManual, true)
	vms := e.kvirt.KubevirtV1().VirtualMachines(ns)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes int
	wg.Add(1)
	go func() { // the "controller": rewrites the status and consumes requests
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			vm, err := vms.Get(ctx, "vm", metav1.GetOptions{})
			if err != nil {
				continue
			}
			vm.Status.PrintableStatus = virtv1.VirtualMachineStatusRunning
			vm.Status.Conditions = []virtv1.VirtualMachineCondition{{Type: virtv1.VirtualMachineReady,
				Status: string(corev1.ConditionTrue), Reason: strconv.Itoa(i)}}
			if i%5 == 4 {
				vm.Status.StateChangeRequests = nil
			}
			if _, err := vms.UpdateStatus(ctx, vm, metav1.UpdateOptions{}); err == nil {
				writes++
			}
		}
	}()
	restarts := 0
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		err := alice.RestartVM(ctx, ns, "vm", &virtv1.RestartOptions{})
		var st apierrors.APIStatus
		switch {
		case err == nil:
			restarts++
		case errorsAs(err, &st) && st.Status().Message == conflictUnderway:
			// a restart is still pending: the "controller" has not consumed it yet
		default:
			close(stop)
			wg.Wait()
			t.Fatalf("restart %d: %v", restarts, err)
		}
	}
	close(stop)
	wg.Wait()
	if restarts < 3 || writes < 10 {
		t.Fatalf("only %d restarts against %d status writes", restarts, writes)
	}
	t.Logf("%d restarts accepted while the status was written %d times", restarts, writes)
}

var conflictUnderway = `Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm": unable to complete request: stop/start already underway`
