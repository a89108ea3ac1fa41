package vm

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// GenerationAnnotation on a VMI records the VM generation it was created from
// (upstream's key); it feeds status.observedGeneration.
const GenerationAnnotation = "kubevirt.io/vm-generation"

// NewVMI renders the VMI a VM starts: the template's metadata and spec, named
// after the VM, controlled by it.
func NewVMI(vm *virtv1.VirtualMachine) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{
			Name:            vm.Name,
			Namespace:       vm.Namespace,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vm, virtv1.SchemeGroupVersion.WithKind("VirtualMachine"))},
		},
	}
	if t := vm.Spec.Template; t != nil {
		vmi.Labels = copyMap(t.ObjectMeta.Labels)
		vmi.Annotations = copyMap(t.ObjectMeta.Annotations)
		t.Spec.DeepCopyInto(&vmi.Spec)
	}
	if vmi.Annotations == nil {
		vmi.Annotations = map[string]string{}
	}
	vmi.Annotations[GenerationAnnotation] = strconv.FormatInt(vm.Generation, 10)
	for k, v := range observedAPIVersions {
		vmi.Annotations[k] = v
	}
	return vmi
}

func copyMap(in map[string]string) map[string]string {
	if in == nil {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}
