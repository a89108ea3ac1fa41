package driver

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestVMISpec(t *testing.T) {
	spec, err := VMISpec("img:1", map[string]string{"type": "kwok"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Volumes[0].ContainerDisk.Image; got != "img:1" {
		t.Errorf("image = %q", got)
	}
	if got := spec.Domain.Resources.Requests[corev1.ResourceMemory]; got.String() != "64Mi" {
		t.Errorf("memory = %s, want 64Mi", got.String())
	}
	if spec.NodeSelector["type"] != "kwok" || len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != kwokTaintKey {
		t.Errorf("scheduling = %v %v", spec.NodeSelector, spec.Tolerations)
	}
	it, err := VMISpec("img:1", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Domain.Resources.Requests) != 0 {
		t.Errorf("instancetype spec carries resources %v", it.Domain.Resources.Requests)
	}
}

func TestBuilders(t *testing.T) {
	spec, err := VMISpec("img:1", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	vm := NewVM("ns", Name(3), spec, "kwok-perf")
	if vm.Name != "kwok-perf-00003" || vm.Labels[RunLabel] != "true" || vm.Spec.Template.ObjectMeta.Labels[RunLabel] != "true" {
		t.Errorf("vm meta = %v / %v", vm.ObjectMeta, vm.Spec.Template.ObjectMeta)
	}
	if *vm.Spec.RunStrategy != "Always" || vm.Spec.Instancetype.Name != "kwok-perf" || vm.Spec.Preference.Kind != "VirtualMachinePreference" {
		t.Errorf("vm spec = %+v", vm.Spec)
	}
	rs := NewVMIRS("ns", "rs", spec, 5)
	if *rs.Spec.Replicas != 5 || rs.Spec.Selector.MatchLabels[RunLabel] != "true" {
		t.Errorf("vmirs spec = %+v", rs.Spec)
	}
	it, pref, err := NewInstancetype("ns", "kwok-perf")
	if err != nil {
		t.Fatal(err)
	}
	if it.Spec.CPU.Guest != 1 || it.Spec.Memory.Guest.String() != "64Mi" || pref.Spec.Devices.PreferredDiskBus != "virtio" {
		t.Errorf("instancetype %+v preference %+v", it.Spec, pref.Spec)
	}
}
