package virtapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// testInstancetypeReferences runs with virt-api under its own ServiceAccount:
// a VM may name an instancetype or preference before it exists (as upstream),
// and once the instancetype exists virt-api reads it (which its role must allow)
// and refuses a template that contradicts it.
func testInstancetypeReferences(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	vms := e.kvirt.KubevirtV1().VirtualMachines(ns)
	vm := func(name, kind string, guest string) *virtv1.VirtualMachine {
		spec := minimalSpec()
		spec.Domain.Resources.Requests = nil
		spec.Domain.Memory = &virtv1.Memory{Guest: ptr.To(resource.MustParse(guest))}
		return &virtv1.VirtualMachine{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: virtv1.VirtualMachineSpec{
				RunStrategy:  ptr.To(virtv1.RunStrategyHalted),
				Instancetype: &virtv1.InstancetypeMatcher{Name: "small", Kind: kind},
				Preference:   &virtv1.PreferenceMatcher{Name: "virtio", Kind: "VirtualMachinePreference"},
				Template:     &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec},
			},
		}
	}
	if _, err := vms.Create(ctx, vm("early", "VirtualMachineInstancetype", "256Mi"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("a VM naming an instancetype and preference that do not exist yet was refused: %v", err)
	}

	spec := instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU:    instancetypev1beta1.CPUInstancetype{Guest: 2},
		Memory: instancetypev1beta1.MemoryInstancetype{Guest: ptr.To(resource.MustParse("128Mi"))},
	}
	it := e.kvirt.InstancetypeV1beta1()
	if _, err := it.VirtualMachineInstancetypes(ns).Create(ctx, &instancetypev1beta1.VirtualMachineInstancetype{
		ObjectMeta: metav1.ObjectMeta{Name: "small"}, Spec: spec}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clusterName := "small"
	if _, err := it.VirtualMachineClusterInstancetypes().Create(ctx, &instancetypev1beta1.VirtualMachineClusterInstancetype{
		ObjectMeta: metav1.ObjectMeta{Name: clusterName}, Spec: spec}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = it.VirtualMachineClusterInstancetypes().Delete(ctx, clusterName, metav1.DeleteOptions{}) })

	for _, kind := range []string{"VirtualMachineInstancetype", "VirtualMachineClusterInstancetype"} {
		_, err := vms.Create(ctx, vm("conflict", kind, "256Mi"), metav1.CreateOptions{})
		var status *apierrors.StatusError
		if !errors.As(err, &status) || status.ErrStatus.Details == nil || len(status.ErrStatus.Details.Causes) == 0 ||
			status.ErrStatus.Details.Causes[0].Field != "spec.template.spec.domain.memory.guest" {
			t.Errorf("%s: a guest memory contradicting the instancetype: want a denial at spec.template.spec.domain.memory.guest "+
				"(virt-api must be able to read the instancetype), got %v", kind, err)
		}
		if _, err := vms.Create(ctx, vm(strings.ToLower(kind), kind, "128Mi"), metav1.CreateOptions{}); err != nil {
			t.Errorf("%s: a VM agreeing with the instancetype was refused: %v", kind, err)
		}
	}
}

// testInferFromVolume runs with virt-api under its own ServiceAccount: a new
// VM's inferFromVolume is resolved from its claim's default-instancetype and
// default-preference labels (virt-api's role must let it get the claim).
func testInferFromVolume(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	claim := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "root-disk", Labels: map[string]string{
			"instancetype.kubevirt.io/default-instancetype":      "small",
			"instancetype.kubevirt.io/default-instancetype-kind": "VirtualMachineInstancetype",
			"instancetype.kubevirt.io/default-preference":        "virtio"}},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("64Mi")}}},
	}
	if _, err := e.kube.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	spec := minimalSpec()
	spec.Domain.Resources.Requests = nil // the inferred instancetype sets memory
	spec.Volumes = []virtv1.Volume{{Name: "root", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "root-disk"}}}
	vm := &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "inferred"},
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy:  ptr.To(virtv1.RunStrategyHalted),
			Instancetype: &virtv1.InstancetypeMatcher{InferFromVolume: "root"},
			Preference:   &virtv1.PreferenceMatcher{InferFromVolume: "root"},
			Template:     &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec},
		},
	}
	got, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create a VM inferring from a labelled claim: %v", err)
	}
	if it := got.Spec.Instancetype; it == nil || it.Name != "small" || it.Kind != "VirtualMachineInstancetype" || it.InferFromVolume != "" {
		t.Errorf("instancetype = %+v, want small/VirtualMachineInstancetype inferred", it)
	}
	if p := got.Spec.Preference; p == nil || p.Name != "virtio" || p.InferFromVolume != "" {
		t.Errorf("preference = %+v, want virtio inferred", p)
	}
	vm.Name, vm.Spec.Instancetype.Name, vm.Spec.Instancetype.Kind = "nolabel", "", ""
	vm.Spec.Instancetype.InferFromVolume = "root"
	vm.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName = "missing"
	_, err = e.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "spec.instancetype.inferFromVolume") {
		t.Errorf("a missing claim with the Reject policy: want a denial naming the field, got %v", err)
	}
}
