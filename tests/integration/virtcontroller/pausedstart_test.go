package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// TestPausedStartOfHaltedVM: the Start request with paused data that virt-api
// writes for `virtctl start --paused` of a Halted VM makes the controller set
// the run strategy to Always and create the VMI with startStrategy Paused; the
// VM's template is not touched and the request is consumed.
func TestPausedStartOfHaltedVM(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	const name = "paused"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyHalted), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "paused start request added", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		vm.Status.StateChangeRequests = []virtv1.VirtualMachineStateChangeRequest{{Action: virtv1.StartRequest,
			Data: map[string]string{virtv1.StartRequestDataPausedKey: virtv1.StartRequestDataPausedTrue}}}
		_, err = c.kvirt.KubevirtV1().VirtualMachines(ns).UpdateStatus(ctx, vm, metav1.UpdateOptions{})
		return err
	})
	vmiUID(t, c, ns, name, "")
	vmi, err := getVMI(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if s := vmi.Spec.StartStrategy; s == nil || *s != virtv1.StartStrategyPaused {
		t.Errorf("VMI startStrategy %v, want Paused", s)
	}
	eventually(t, 10*time.Second, "Always, request consumed, template untouched", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		switch {
		case vm.Spec.RunStrategy == nil || *vm.Spec.RunStrategy != virtv1.RunStrategyAlways:
			return fmt.Errorf("runStrategy %v", vm.Spec.RunStrategy)
		case len(vm.Status.StateChangeRequests) > 0:
			return fmt.Errorf("requests left: %+v", vm.Status.StateChangeRequests)
		case vm.Spec.Template.Spec.StartStrategy != nil:
			return fmt.Errorf("template startStrategy %v", *vm.Spec.Template.Spec.StartStrategy)
		}
		return nil
	})
	// The VMI stays: an Always VM keeps the one it started.
	stays(t, 2*time.Second, "the paused VMI is kept", func() error {
		v, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		if v.UID != vmi.UID || v.DeletionTimestamp != nil {
			return fmt.Errorf("VMI %s replaced or deleted", vmi.UID)
		}
		return nil
	})
}
