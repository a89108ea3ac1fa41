package vm

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
)

// observedAPIVersions are the annotations upstream's controllers keep on the
// objects they manage.
var observedAPIVersions = map[string]string{
	virtv1.ControllerAPILatestVersionObservedAnnotation:  virtv1.APILatestVersion,
	virtv1.ControllerAPIStorageVersionObservedAnnotation: virtv1.APIStorageVersion,
}

// MetaChange is what the VM controller changes in a VM's metadata.
type MetaChange struct {
	// Finalizers, when not nil, is the whole new finalizer list.
	Finalizers []string
	// Annotations are keys to set.
	Annotations map[string]string
}

// Empty reports whether the change changes nothing.
func (m MetaChange) Empty() bool { return m.Finalizers == nil && len(m.Annotations) == 0 }

// DesiredMeta says what the VM's metadata lacks, as upstream keeps it: a live VM
// carries the controller's finalizer and the observed API-version annotations; a
// VM being deleted keeps the finalizer until its VMI is gone (vmiGone), so the VM
// outlives its VMI.
func DesiredMeta(vm *virtv1.VirtualMachine, vmiGone bool) MetaChange {
	has := slices.Contains(vm.Finalizers, virtv1.VirtualMachineControllerFinalizer)
	var m MetaChange
	if vm.DeletionTimestamp != nil {
		if has && vmiGone {
			m.Finalizers = slices.DeleteFunc(slices.Clone(vm.Finalizers), func(f string) bool {
				return f == virtv1.VirtualMachineControllerFinalizer
			})
			if m.Finalizers == nil {
				m.Finalizers = []string{}
			}
		}
		return m
	}
	if !has {
		m.Finalizers = append(slices.Clone(vm.Finalizers), virtv1.VirtualMachineControllerFinalizer)
	}
	for k, v := range observedAPIVersions {
		if vm.Annotations[k] != v {
			if m.Annotations == nil {
				m.Annotations = map[string]string{}
			}
			m.Annotations[k] = v
		}
	}
	return m
}

// vmiGone reports whether a deleted VM's VMI is gone. The cache may lag behind
// a VMI created moments ago, so an absent one is confirmed with the apiserver.
func (c *Controller) vmiGone(ctx context.Context, vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (bool, error) {
	if vmi != nil || vm.DeletionTimestamp == nil {
		return vmi == nil, nil
	}
	live, err := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vm.Namespace).Get(ctx, vm.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		return !metav1.IsControlledBy(live, vm), nil
	case apierrors.IsNotFound(err):
		return true, nil
	}
	return false, fmt.Errorf("get vmi %s/%s: %w", vm.Namespace, vm.Name, err)
}

// syncMeta brings the VM's finalizer and annotations up to date (one patch in a
// VM's life, one more when it is deleted) and updates vm's metadata from the
// answer. It reports whether the VM was released (finalizer removed), after
// which there is nothing more to do.
func (c *Controller) syncMeta(ctx context.Context, vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (bool, error) {
	gone, err := c.vmiGone(ctx, vm, vmi)
	if err != nil {
		return false, err
	}
	m := DesiredMeta(vm, gone)
	if m.Empty() {
		return false, nil
	}
	release := vm.DeletionTimestamp != nil
	if release {
		if err := c.deleteRevisions(ctx, vm, 0); err != nil {
			return false, err
		}
	}
	meta := map[string]any{"resourceVersion": vm.ResourceVersion}
	if m.Finalizers != nil {
		meta["finalizers"] = m.Finalizers
	}
	if len(m.Annotations) > 0 {
		meta["annotations"] = m.Annotations
	}
	patch, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return false, fmt.Errorf("encode vm metadata patch: %w", err)
	}
	out, err := c.cfg.Kvirt.KubevirtV1().VirtualMachines(vm.Namespace).Patch(ctx, vm.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("patch vm metadata %s/%s: %w", vm.Namespace, vm.Name, err)
	}
	if release {
		klog.FromContext(ctx).Info("vm released: its vmi is gone", "vm", klog.KObj(vm))
		return true, nil
	}
	out.ObjectMeta.DeepCopyInto(&vm.ObjectMeta)
	return false, nil
}
