package virtcontroller

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// startRevision checks the VMI names the ControllerRevision of the VM generation
// it started from, and that the revision holds the VM's spec; it returns it.
func startRevision(t *testing.T, c clients, vm *virtv1.VirtualMachine) *appsv1.ControllerRevision {
	t.Helper()
	want := fmt.Sprintf("revision-start-vm-%s-%d", vm.UID, vm.Generation)
	var cr *appsv1.ControllerRevision
	eventually(t, 20*time.Second, "start revision "+want, func() error {
		vmi, err := getVMI(c, vm.Namespace, vm.Name)
		if err != nil {
			return err
		}
		if vmi.Status.VirtualMachineRevisionName != want {
			return fmt.Errorf("vmi status.virtualMachineRevisionName %q", vmi.Status.VirtualMachineRevisionName)
		}
		cr, err = c.kube.AppsV1().ControllerRevisions(vm.Namespace).Get(context.Background(), want, metav1.GetOptions{})
		return err
	})
	if cr.Revision != vm.Generation {
		t.Errorf("revision number %d, want the generation %d", cr.Revision, vm.Generation)
	}
	if ref := metav1.GetControllerOf(cr); ref == nil || ref.UID != vm.UID {
		t.Errorf("revision controller %+v", ref)
	}
	var data virtv1.VirtualMachine
	if err := json.Unmarshal(cr.Data.Raw, &data); err != nil {
		t.Fatalf("revision data: %v", err)
	}
	if !reflect.DeepEqual(data.Spec, vm.Spec) {
		t.Errorf("revision spec %+v\nwant %+v", data.Spec, vm.Spec)
	}
	return cr
}

func revisionsOf(c clients, vm *virtv1.VirtualMachine) ([]string, error) {
	list, err := c.kube.AppsV1().ControllerRevisions(vm.Namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, cr := range list.Items {
		if ref := metav1.GetControllerOf(&cr); ref != nil && ref.UID == vm.UID {
			names = append(names, cr.Name)
		}
	}
	return names, nil
}

// The VM controller keeps upstream's metadata on a VM — its finalizer and the
// observed API-version annotations — stores a ControllerRevision of the spec each
// VMI starts from (dropping older ones), and releases a deleted VM only once its
// VMI is gone.
func TestVMFinalizerRevisionsAndObservedVersions(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	name := "meta"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyManual), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "finalizer and annotations", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		if !slices.Contains(vm.Finalizers, virtv1.VirtualMachineControllerFinalizer) {
			return fmt.Errorf("finalizers %v", vm.Finalizers)
		}
		if vm.Annotations[virtv1.ControllerAPILatestVersionObservedAnnotation] != "v1" ||
			vm.Annotations[virtv1.ControllerAPIStorageVersionObservedAnnotation] != "v1" {
			return fmt.Errorf("annotations %v", vm.Annotations)
		}
		return nil
	})

	requestState(t, c, ns, name, virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	first := vmiUID(t, c, ns, name, "")
	vm, err := getVM(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	firstRev := startRevision(t, c, vm)

	// a new generation, then a restart: a new revision replaces the old one
	eventually(t, 10*time.Second, "change the template", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		vm.Spec.Template.ObjectMeta.Labels["rev"] = "2"
		_, err = c.kvirt.KubevirtV1().VirtualMachines(ns).Update(ctx, vm, metav1.UpdateOptions{})
		return err
	})
	requestState(t, c, ns, name, virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: string(first)},
		virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	vmiUID(t, c, ns, name, first)
	if vm, err = getVM(c, ns, name); err != nil {
		t.Fatal(err)
	}
	second := startRevision(t, c, vm)
	eventually(t, 10*time.Second, "only the new revision left", func() error {
		names, err := revisionsOf(c, vm)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(names, []string{second.Name}) {
			return fmt.Errorf("revisions %v (first was %s)", names, firstRev.Name)
		}
		return nil
	})

	// deletion: the VM stays (Terminating) until its VMI is gone
	if err := c.kvirt.KubevirtV1().VirtualMachines(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "vm released after its vmi", func() error {
		_, vmErr := getVM(c, ns, name)
		if err := gone(func() error { return vmErr })(); err != nil {
			return err
		}
		if err := gone(func() error { _, err := getVMI(c, ns, name); return err })(); err != nil {
			return fmt.Errorf("vm gone but its vmi: %w", err)
		}
		return nil
	})
	if names, err := revisionsOf(c, vm); err != nil || len(names) > 0 {
		t.Errorf("revisions left after deletion: %v %v", names, err)
	}
}

// A VM whose VMI cannot go (its finalizer held by someone else) stays
// Terminating with the controller's finalizer.
func TestDeletedVMWaitsForItsVMI(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	name := "waits"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	vmiUID(t, c, ns, name, "")
	eventually(t, 10*time.Second, "hold the vmi", func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		vmi.Finalizers = append(vmi.Finalizers, "test.kvirt.io/hold")
		_, err = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Update(ctx, vmi, metav1.UpdateOptions{})
		return err
	})
	if err := c.kvirt.KubevirtV1().VirtualMachines(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "vmi deleted", func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		if vmi.DeletionTimestamp == nil {
			return fmt.Errorf("vmi not deleted yet")
		}
		return nil
	})
	stays(t, 2*time.Second, "vm terminating", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		if !slices.Contains(vm.Finalizers, virtv1.VirtualMachineControllerFinalizer) {
			return fmt.Errorf("finalizer dropped while the vmi exists: %v", vm.Finalizers)
		}
		return nil
	})
	eventually(t, 10*time.Second, "release the vmi", func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		vmi.Finalizers = slices.DeleteFunc(vmi.Finalizers, func(f string) bool { return f == "test.kvirt.io/hold" })
		_, err = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Update(ctx, vmi, metav1.UpdateOptions{})
		return err
	})
	eventually(t, 20*time.Second, "vm gone", gone(func() error { _, err := getVM(c, ns, name); return err }))
}
