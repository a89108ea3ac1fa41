package vm

import (
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestDesiredMeta(t *testing.T) {
	fin := virtv1.VirtualMachineControllerFinalizer
	observed := map[string]string{
		virtv1.ControllerAPILatestVersionObservedAnnotation: "v1", virtv1.ControllerAPIStorageVersionObservedAnnotation: "v1",
	}
	ts := metav1.NewTime(now)
	tests := []struct {
		name        string
		finalizers  []string
		annotations map[string]string
		deleting    bool
		vmiGone     bool
		want        MetaChange
	}{
		{"new VM gets finalizer and annotations", nil, nil, false, true,
			MetaChange{Finalizers: []string{fin}, Annotations: observed}},
		{"other finalizers are kept", []string{"x/y"}, observed, false, true, MetaChange{Finalizers: []string{"x/y", fin}}},
		{"up to date: nothing", []string{fin}, observed, false, false, MetaChange{}},
		{"stale annotation is rewritten", []string{fin}, map[string]string{virtv1.ControllerAPILatestVersionObservedAnnotation: "v1alpha3",
			virtv1.ControllerAPIStorageVersionObservedAnnotation: "v1"}, false, false,
			MetaChange{Annotations: map[string]string{virtv1.ControllerAPILatestVersionObservedAnnotation: "v1"}}},
		{"deleted with a VMI: keep the finalizer", []string{fin}, observed, true, false, MetaChange{}},
		{"deleted, VMI gone: drop the finalizer only", []string{"x/y", fin}, observed, true, true, MetaChange{Finalizers: []string{"x/y"}}},
		{"deleted, VMI gone, last finalizer: empty list", []string{fin}, nil, true, true, MetaChange{Finalizers: []string{}}},
		{"deleted without our finalizer: nothing", []string{"x/y"}, nil, true, true, MetaChange{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := vmWith(virtv1.RunStrategyAlways)
			vm.Finalizers, vm.Annotations = tt.finalizers, tt.annotations
			if tt.deleting {
				vm.DeletionTimestamp = &ts
			}
			got := DesiredMeta(vm, tt.vmiGone)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DesiredMeta = %+v, want %+v", got, tt.want)
			}
			if got.Empty() != (tt.want.Finalizers == nil && tt.want.Annotations == nil) {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}

func TestRevision(t *testing.T) {
	vm := vmWith(virtv1.RunStrategyAlways)
	vm.Generation = 4
	vm.Spec.Template = &virtv1.VirtualMachineInstanceTemplateSpec{}
	vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "u1.small"}
	vm.Status.InstancetypeRef = &virtv1.InstancetypeStatusRef{ControllerRevisionRef: &virtv1.ControllerRevisionRef{Name: "it-rev-1"}}
	cr, err := Revision(vm)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Name != "revision-start-vm-vm-uid-4" || cr.Revision != 4 || cr.Namespace != "ns" {
		t.Errorf("revision %s/%s #%d", cr.Namespace, cr.Name, cr.Revision)
	}
	if ref := metav1.GetControllerOf(cr); ref == nil || ref.UID != vm.UID || ref.Kind != "VirtualMachine" {
		t.Errorf("controller ref = %+v", ref)
	}
	if cr.Labels[virtv1.CreatedByLabel] != "vm-uid" {
		t.Errorf("labels = %v", cr.Labels)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(cr.Data.Raw, &data); err != nil || len(data) != 1 || data["spec"] == nil {
		t.Fatalf("data = %s (%v): want only a spec", cr.Data.Raw, err)
	}
	var back virtv1.VirtualMachine
	if err := json.Unmarshal(cr.Data.Raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Spec.Instancetype.RevisionName != "it-rev-1" || *back.Spec.RunStrategy != virtv1.RunStrategyAlways {
		t.Errorf("spec = %+v", back.Spec)
	}
	if vm.Spec.Instancetype.RevisionName != "" {
		t.Errorf("Revision changed the VM")
	}
}

func TestNewVMICarriesObservedAPIVersions(t *testing.T) {
	vmi := NewVMI(vmWith(virtv1.RunStrategyAlways))
	if vmi.Annotations[virtv1.ControllerAPILatestVersionObservedAnnotation] != "v1" ||
		vmi.Annotations[virtv1.ControllerAPIStorageVersionObservedAnnotation] != "v1" {
		t.Errorf("annotations = %v", vmi.Annotations)
	}
}
