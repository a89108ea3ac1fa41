package vm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// RevisionPrefix starts the name of every start revision of the VM with uid;
// RevisionName adds the generation, as upstream names them.
func RevisionPrefix(uid types.UID) string { return "revision-start-vm-" + string(uid) + "-" }

// RevisionName is the ControllerRevision holding the VM spec a VMI started from.
func RevisionName(uid types.UID, generation int64) string {
	return RevisionPrefix(uid) + strconv.FormatInt(generation, 10)
}

// Revision renders the ControllerRevision of the VM's spec at start: data
// {"spec": ...} with the instancetype and preference pinned to the revisions the
// VM status names, revision number the VM generation, controlled by the VM, and
// labelled with the VM's UID so the controller finds its older ones.
func Revision(vm *virtv1.VirtualMachine) (*appsv1.ControllerRevision, error) {
	spec := vm.Spec.DeepCopy()
	if ref := vm.Status.InstancetypeRef; spec.Instancetype != nil && ref != nil && ref.ControllerRevisionRef != nil {
		spec.Instancetype.RevisionName = ref.ControllerRevisionRef.Name
	}
	if ref := vm.Status.PreferenceRef; spec.Preference != nil && ref != nil && ref.ControllerRevisionRef != nil {
		spec.Preference.RevisionName = ref.ControllerRevisionRef.Name
	}
	raw, err := json.Marshal(struct {
		Spec *virtv1.VirtualMachineSpec `json:"spec"`
	}{spec})
	if err != nil {
		return nil, fmt.Errorf("encode vm revision: %w", err)
	}
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            RevisionName(vm.UID, vm.Generation),
			Namespace:       vm.Namespace,
			Labels:          map[string]string{virtv1.CreatedByLabel: string(vm.UID)},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vm, virtv1.VirtualMachineGroupVersionKind)},
		},
		Data:     runtime.RawExtension{Raw: raw},
		Revision: vm.Generation,
	}, nil
}

// storeRevision records the spec the VM starts from and drops the revisions of
// earlier generations; it returns the revision's name for the VMI's
// status.virtualMachineRevisionName.
func (c *Controller) storeRevision(ctx context.Context, vm *virtv1.VirtualMachine) (string, error) {
	cr, err := Revision(vm)
	if err != nil {
		return "", err
	}
	_, err = c.cfg.Kube.AppsV1().ControllerRevisions(vm.Namespace).Create(ctx, cr, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("create vm revision %s: %w", cr.Name, err)
	}
	if err := c.deleteRevisions(ctx, vm, vm.Generation); err != nil {
		return "", err
	}
	return cr.Name, nil
}

// deleteRevisions removes the VM's start revisions except the one of generation
// keep (0 keeps none).
func (c *Controller) deleteRevisions(ctx context.Context, vm *virtv1.VirtualMachine, keep int64) error {
	crs := c.cfg.Kube.AppsV1().ControllerRevisions(vm.Namespace)
	list, err := crs.List(ctx, metav1.ListOptions{
		LabelSelector: labels.Set{virtv1.CreatedByLabel: string(vm.UID)}.String(),
	})
	if err != nil {
		return fmt.Errorf("list revisions of vm %s/%s: %w", vm.Namespace, vm.Name, err)
	}
	var errs []error
	for i := range list.Items {
		cr := &list.Items[i]
		if !strings.HasPrefix(cr.Name, RevisionPrefix(vm.UID)) || (keep != 0 && cr.Revision == keep) {
			continue
		}
		if err := crs.Delete(ctx, cr.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete vm revision %s: %w", cr.Name, err))
		}
	}
	return errors.Join(errs...)
}
