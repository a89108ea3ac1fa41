package vm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
	cdilisters "kvirt.io/client-go/generated/listers/cdi/v1beta1"
)

// vmsByDataVolume indexes VMs by namespace/name of each dataVolumeTemplate, so
// an event on any DataVolume of that name (ours, an orphan, someone else's)
// reaches the VM.
const vmsByDataVolume = "dataVolumeTemplate"

func indexByDataVolume(obj interface{}) ([]string, error) {
	vm, ok := obj.(*virtv1.VirtualMachine)
	if !ok {
		return nil, nil
	}
	keys := make([]string, 0, len(vm.Spec.DataVolumeTemplates))
	for _, t := range vm.Spec.DataVolumeTemplates {
		keys = append(keys, vm.Namespace+"/"+t.ObjectMeta.Name)
	}
	return keys, nil
}

// watchDataVolumes indexes the VMs and enqueues a VM for every event on a
// DataVolume of one of its templates' names or controlled by it.
func (c *Controller) watchDataVolumes() error {
	if err := c.cfg.VMs.Informer().AddIndexers(cache.Indexers{vmsByDataVolume: indexByDataVolume}); err != nil {
		return fmt.Errorf("add vm index: %w", err)
	}
	c.vmIndex = c.cfg.VMs.Informer().GetIndexer()
	c.dataVolumes = c.cfg.DataVolumes.Lister()
	c.synced = append(c.synced, c.cfg.DataVolumes.Informer().HasSynced)
	enqueue := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		dv, ok := obj.(*cdiv1beta1.DataVolume)
		if !ok {
			return
		}
		if ref := metav1.GetControllerOf(dv); ref != nil && ref.Kind == "VirtualMachine" {
			c.loop.Add(dv.Namespace + "/" + ref.Name)
		}
		vms, _ := c.vmIndex.ByIndex(vmsByDataVolume, dv.Namespace+"/"+dv.Name)
		for _, o := range vms {
			if vm, ok := o.(*virtv1.VirtualMachine); ok {
				c.loop.Add(vm.Namespace + "/" + vm.Name)
			}
		}
	}
	_, err := c.cfg.DataVolumes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, obj interface{}) { enqueue(obj) }, DeleteFunc: enqueue,
	})
	if err != nil {
		return fmt.Errorf("watch datavolumes: %w", err)
	}
	return nil
}

// templateDataVolumes reads the DataVolumes of the VM's templates' names from
// the cache.
func templateDataVolumes(lister cdilisters.DataVolumeLister, vm *virtv1.VirtualMachine) (map[string]*cdiv1beta1.DataVolume, error) {
	out := map[string]*cdiv1beta1.DataVolume{}
	for _, t := range vm.Spec.DataVolumeTemplates {
		dv, err := lister.DataVolumes(vm.Namespace).Get(t.ObjectMeta.Name)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("get datavolume %s/%s: %w", vm.Namespace, t.ObjectMeta.Name, err)
		}
		out[t.ObjectMeta.Name] = dv
	}
	return out, nil
}

// syncDataVolumes plans the VM's DataVolumes and creates and adopts what the
// plan says. The returned failure is the plan's, or the API error of a create
// or adoption (reason FailedCreate, so the key is retried with backoff).
func (c *Controller) syncDataVolumes(ctx context.Context, vm *virtv1.VirtualMachine) (DataVolumePlan, *Failure) {
	if len(vm.Spec.DataVolumeTemplates) == 0 {
		return DataVolumePlan{Ready: true}, nil
	}
	var dvs map[string]*cdiv1beta1.DataVolume
	if c.dataVolumes != nil {
		var err error
		if dvs, err = templateDataVolumes(c.dataVolumes, vm); err != nil {
			return DataVolumePlan{}, &Failure{Reason: ReasonFailedCreate, Message: err.Error()}
		}
	}
	plan := PlanDataVolumes(vm, dvs, c.dataVolumes != nil)
	client := c.cfg.Kvirt.CdiV1beta1().DataVolumes(vm.Namespace)
	var errs []string
	for _, dv := range plan.Create {
		created, err := client.Create(ctx, dv, metav1.CreateOptions{})
		switch {
		case apierrors.IsAlreadyExists(err):
			// the cache lags; the DataVolume's event brings the VM back
		case err != nil:
			c.cfg.Events.Eventf(vm, corev1.EventTypeWarning, EventFailedDataVolumeCreate, "Error creating DataVolume %s: %v", dv.Name, err)
			errs = append(errs, fmt.Sprintf("create DataVolume %s: %v", dv.Name, err))
		default:
			klog.FromContext(ctx).Info("datavolume created", "vm", klog.KObj(vm), "datavolume", created.Name)
			c.cfg.Events.Eventf(vm, corev1.EventTypeNormal, EventSuccessfulDataVolumeCreate, "Created DataVolume %s", created.Name)
		}
	}
	for _, dv := range plan.Adopt {
		if err := c.adopt(ctx, dv); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return plan, &Failure{Reason: ReasonFailedCreate, Message: strings.Join(errs, "; ")}
	}
	return plan, plan.Failure
}

// adopt sets the ownerReferences of an orphaned DataVolume, guarded by the
// resourceVersion read so that a DataVolume someone else claimed meanwhile is
// left alone.
func (c *Controller) adopt(ctx context.Context, dv *cdiv1beta1.DataVolume) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"resourceVersion": dv.ResourceVersion, "ownerReferences": dv.OwnerReferences}})
	if err != nil {
		return fmt.Errorf("encode adoption of DataVolume %s: %w", dv.Name, err)
	}
	_, err = c.cfg.Kvirt.CdiV1beta1().DataVolumes(dv.Namespace).Patch(ctx, dv.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("adopt DataVolume %s: %w", dv.Name, err)
	}
	if err == nil {
		klog.FromContext(ctx).Info("datavolume adopted", "datavolume", klog.KObj(dv))
	}
	return nil
}

// dataVolumeEvents records, once per transition of the VM's status, why its
// DataVolumes keep it from starting.
func (c *Controller) dataVolumeEvents(vm *virtv1.VirtualMachine, old, cur virtv1.VirtualMachineStatus, plan DataVolumePlan) {
	if cur.PrintableStatus == virtv1.VirtualMachineStatusDataVolumeError && old.PrintableStatus != cur.PrintableStatus {
		c.cfg.Events.Eventf(vm, corev1.EventTypeWarning, EventFailedDataVolumeImport,
			"DataVolume failed to import disk image: %s", strings.Join(plan.Failed, "; "))
	}
	if plan.Failure == nil || failureReason(old) == plan.Failure.Reason || failureReason(cur) != plan.Failure.Reason {
		return
	}
	c.cfg.Events.Eventf(vm, corev1.EventTypeWarning, plan.Failure.Reason, "%s", plan.Failure.Message)
}

func failureReason(st virtv1.VirtualMachineStatus) string {
	for _, c := range st.Conditions {
		if c.Type == virtv1.VirtualMachineFailure && c.Status == string(corev1.ConditionTrue) {
			return c.Reason
		}
	}
	return ""
}
