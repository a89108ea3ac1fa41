package vm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	cdiinformers "kvirt.io/client-go/generated/informers/externalversions/cdi/v1beta1"
	virtinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	cdilisters "kvirt.io/client-go/generated/listers/cdi/v1beta1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/instancetype"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

// missingRefRetry is how often a VM whose instancetype or preference is missing
// looks again (a condition says why it does not start meanwhile).
const missingRefRetry = 10 * time.Second

// reasonWaitForDeletion is an internal outcome, never shown: the VMI to replace is
// still terminating.
const reasonWaitForDeletion = "waitForDeletion"

// reasonStaleVM is an internal outcome, never shown: the cached VM is older than
// the start failure this controller recorded; the key is retried shortly.
const reasonStaleVM = "staleVM"

// Resolver pins the instancetype and preference a VM starts with.
type Resolver interface {
	Resolve(ctx context.Context, vm *virtv1.VirtualMachine) (instancetype.Resolved, error)
}

// Config wires the controller.
type Config struct {
	// Kube stores the VM's start revisions (ControllerRevisions).
	Kube         kubernetes.Interface
	Kvirt        kvirtclient.Interface
	VMs          virtinformers.VirtualMachineInformer
	VMIs         virtinformers.VirtualMachineInstanceInformer
	Resolver     Resolver
	QueueMetrics workqueue.MetricsProvider
	// Events records Kubernetes Events on the VM (VMI created, deleted, or
	// failing to be); nil records none.
	Events record.EventRecorder
	// DataVolumes watches cdi.kubevirt.io DataVolumes; nil when the cluster
	// serves no DataVolume API (a VM with dataVolumeTemplates then reports
	// DataVolumeAPIUnavailable and does not start).
	DataVolumes cdiinformers.DataVolumeInformer
}

// Event reasons, upstream's: on the VM for its VMI.
const (
	EventSuccessfulCreate = "SuccessfulCreate"
	EventFailedCreate     = "FailedCreate"
	EventSuccessfulDelete = "SuccessfulDelete"
	EventFailedDelete     = "FailedDelete"
)

// Controller is the VM controller.
type Controller struct {
	cfg    Config
	vms    virtlisters.VirtualMachineLister
	vmis   virtlisters.VirtualMachineInstanceLister
	loop   *loop.Loop
	synced []cache.InformerSynced
	// dataVolumes is nil when the DataVolume API is not served.
	dataVolumes cdilisters.DataVolumeLister
	vmIndex     cache.Indexer
}

// New registers event handlers; call before starting the informers.
func New(cfg Config) (*Controller, error) {
	if cfg.Events == nil {
		cfg.Events = &record.FakeRecorder{}
	}
	c := &Controller{
		cfg:    cfg,
		vms:    cfg.VMs.Lister(),
		vmis:   cfg.VMIs.Lister(),
		synced: []cache.InformerSynced{cfg.VMs.Informer().HasSynced, cfg.VMIs.Informer().HasSynced},
	}
	c.loop = loop.New("virt-controller-vm", c.sync, cfg.QueueMetrics)
	if _, err := cfg.VMs.Informer().AddEventHandler(c.loop.Handler()); err != nil {
		return nil, fmt.Errorf("watch vms: %w", err)
	}
	owner := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if vmi, ok := obj.(*virtv1.VirtualMachineInstance); ok {
			if ref := metav1.GetControllerOf(vmi); ref != nil && ref.Kind == "VirtualMachine" {
				c.loop.Add(vmi.Namespace + "/" + ref.Name)
			}
		}
	}
	_, err := cfg.VMIs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: owner, UpdateFunc: func(_, obj interface{}) { owner(obj) }, DeleteFunc: owner,
	})
	if err != nil {
		return nil, fmt.Errorf("watch vmis: %w", err)
	}
	if cfg.DataVolumes != nil {
		if err := c.watchDataVolumes(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Run processes VMs with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	vm, err := c.vms.VirtualMachines(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, c.deleteOrphans(ctx, ns, name)
	}
	if err != nil {
		return 0, fmt.Errorf("get vm %s: %w", key, err)
	}
	vmi, failure := c.ownVMI(vm)
	now := time.Now()
	work := vm.DeepCopy()
	if released, err := c.syncMeta(ctx, work, vmi); err != nil || released {
		return 0, err
	}
	work.Status.StartFailure = TrackStartFailure(vm.Status.StartFailure, vmi, now)
	plan, dvFailure := c.syncDataVolumes(ctx, work)

	var retry time.Duration
	if failure == nil {
		d := WaitForDataVolumes(Decide(work, vmi, now), plan.Ready)
		if d.Action == ActionRun {
			// The spec write brings the VM back through the queue.
			return 0, c.runAlways(ctx, vm)
		}
		retry = d.RetryAfter
		var created *virtv1.VirtualMachineInstance
		created, failure = c.act(ctx, work, vmi, d)
		if created != nil {
			vmi = created
		}
		if failure == nil {
			work.Status.StateChangeRequests = popRequests(work.Status.StateChangeRequests, d.PopRequests)
		} else if failure.Reason == ReasonInstancetype {
			retry = missingRefRetry
		}
		if failure != nil && (failure.Reason == reasonWaitForDeletion || failure.Reason == reasonStaleVM) {
			failure, retry = nil, time.Second
		}
	}
	work.Status = c.status(vm, work, vmi, firstFailure(failure, dvFailure), plan, now)
	if err := c.writeStatus(ctx, vm, work); err != nil {
		return 0, err
	}
	return retry, apiFailure(key, failure)
}

// status is the VM's new status, its DataVolumes taken into account, recording
// the Events their state asks for.
func (c *Controller) status(old, vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, failure *Failure,
	plan DataVolumePlan, now time.Time) virtv1.VirtualMachineStatus {
	st := Status(vm, vmi, failure, now)
	st.PrintableStatus = DataVolumePrintable(st.PrintableStatus, plan.Printable)
	c.dataVolumeEvents(old, old.Status, st, plan)
	return st
}

func firstFailure(fs ...*Failure) *Failure {
	for _, f := range fs {
		if f != nil {
			return f
		}
	}
	return nil
}

// apiFailure is the error that requeues key with the loop's backoff (instead of
// any retry asked for) when the VMI create or delete failed at the API (a
// webhook down, a timeout): shown on the VM and retried until it goes through.
// Other failures wait for an event or their own retry.
func apiFailure(key string, f *Failure) error {
	if f == nil || (f.Reason != ReasonFailedCreate && f.Reason != ReasonFailedDelete) {
		return nil
	}
	return fmt.Errorf("%s %s: %s", f.Reason, key, f.Message)
}

// ownVMI returns the VMI of the VM's name when the VM controls it; a VMI of that
// name controlled by someone else is a failure to report.
func (c *Controller) ownVMI(vm *virtv1.VirtualMachine) (*virtv1.VirtualMachineInstance, *Failure) {
	vmi, err := c.vmis.VirtualMachineInstances(vm.Namespace).Get(vm.Name)
	if err != nil {
		return nil, nil
	}
	if ref := metav1.GetControllerOf(vmi); ref == nil || ref.UID != vm.UID {
		return nil, &Failure{Reason: ReasonVMIOwnedElsewhere, Message: "a VMI named " + vm.Name + " exists and is not controlled by this VM"}
	}
	return vmi, nil
}

// act carries out the decision; it returns the VMI it created, or the failure.
func (c *Controller) act(ctx context.Context, vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, d Decision) (*virtv1.VirtualMachineInstance, *Failure) {
	log := klog.FromContext(ctx)
	switch d.Action {
	case ActionCreate:
		if c.backoffAhead(ctx, vm, time.Now()) {
			return nil, &Failure{Reason: reasonStaleVM}
		}
		created, failure := c.createVMI(ctx, vm, d.StartPaused)
		switch {
		case failure == nil:
			log.Info("vmi created", "vm", klog.KObj(vm), "uid", created.UID)
			c.cfg.Events.Eventf(vm, corev1.EventTypeNormal, EventSuccessfulCreate,
				"Started the virtual machine by creating the new virtual machine instance %s", created.Name)
		case failure.Reason == ReasonFailedCreate:
			c.cfg.Events.Eventf(vm, corev1.EventTypeWarning, EventFailedCreate,
				"Error creating virtual machine instance: %s", failure.Message)
		}
		return created, failure
	case ActionDelete:
		err := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vm.Namespace).Delete(ctx, vmi.Name,
			metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &vmi.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			c.cfg.Events.Eventf(vm, corev1.EventTypeWarning, EventFailedDelete,
				"Error deleting virtual machine instance %s: %v", vmi.Name, err)
			return nil, &Failure{Reason: ReasonFailedDelete, Message: err.Error()}
		}
		log.Info("vmi deleted", "vm", klog.KObj(vm), "uid", vmi.UID)
		c.cfg.Events.Eventf(vm, corev1.EventTypeNormal, EventSuccessfulDelete,
			"Stopped the virtual machine by deleting the virtual machine instance %s", vmi.Name)
	}
	return nil, nil
}

// backoffAhead reports whether the live VM says to wait for a start-failure retry
// that the cached one does not know yet. The sync that recorded the failure also
// deleted the failed VMI, so once the VMI cache shows it gone a lagging VM cache
// would otherwise restart at once, without backoff. One GET per VMI creation.
func (c *Controller) backoffAhead(ctx context.Context, vm *virtv1.VirtualMachine, now time.Time) bool {
	live, err := c.cfg.Kvirt.KubevirtV1().VirtualMachines(vm.Namespace).Get(ctx, vm.Name, metav1.GetOptions{})
	if err != nil || live.ResourceVersion == vm.ResourceVersion {
		return false
	}
	f := live.Status.StartFailure
	return f != nil && f.RetryAfterTimestamp != nil && now.Before(f.RetryAfterTimestamp.Time)
}

func (c *Controller) createVMI(ctx context.Context, vm *virtv1.VirtualMachine, paused bool) (*virtv1.VirtualMachineInstance, *Failure) {
	vmi := NewVMI(vm)
	if paused {
		strategy := virtv1.StartStrategyPaused
		vmi.Spec.StartStrategy = &strategy
	}
	if vm.Spec.Instancetype != nil || vm.Spec.Preference != nil {
		resolved, err := c.cfg.Resolver.Resolve(ctx, vm)
		if err != nil {
			return nil, &Failure{Reason: ReasonInstancetype, Message: err.Error()}
		}
		if errs := instancetype.Apply(vmi, resolved.Instancetype, resolved.Preference); len(errs) > 0 {
			return nil, &Failure{Reason: ReasonInstancetype, Message: errs.ToAggregate().Error()}
		}
		vm.Status.InstancetypeRef, vm.Status.PreferenceRef = resolved.InstancetypeRef, resolved.PreferenceRef
	}
	revision, err := c.storeRevision(ctx, vm)
	if err != nil {
		return nil, &Failure{Reason: ReasonFailedCreate, Message: err.Error()}
	}
	vmi.Status.VirtualMachineRevisionName = revision
	client := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vm.Namespace)
	created, err := client.Create(ctx, vmi, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		// The cache lags: the VMI exists already. Ours and alive is as good as created;
		// ours and terminating means wait for it to go.
		live, getErr := client.Get(ctx, vmi.Name, metav1.GetOptions{})
		if getErr == nil && metav1.IsControlledBy(live, vm) {
			if live.DeletionTimestamp != nil {
				return nil, &Failure{Reason: reasonWaitForDeletion}
			}
			return live, nil
		}
	}
	if err != nil {
		return nil, &Failure{Reason: ReasonFailedCreate, Message: err.Error()}
	}
	return created, nil
}

// runAlways sets the VM's run strategy to Always (spec.running to true for a
// VM that uses the flag), guarded by the resourceVersion read: the one spec
// write of this controller, upstream's answer to a paused start of a Halted VM.
func (c *Controller) runAlways(ctx context.Context, vm *virtv1.VirtualMachine) error {
	spec := map[string]any{"runStrategy": virtv1.RunStrategyAlways}
	if vm.Spec.RunStrategy == nil && vm.Spec.Running != nil {
		spec = map[string]any{"running": true}
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": vm.ResourceVersion}, "spec": spec})
	if err != nil {
		return fmt.Errorf("encode run strategy patch: %w", err)
	}
	_, err = c.cfg.Kvirt.KubevirtV1().VirtualMachines(vm.Namespace).Patch(ctx, vm.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("set run strategy of %s/%s to Always: %w", vm.Namespace, vm.Name, err)
	}
	klog.FromContext(ctx).Info("vm runs for a start request", "vm", klog.KObj(vm))
	return nil
}

func popRequests(reqs []virtv1.VirtualMachineStateChangeRequest, n int) []virtv1.VirtualMachineStateChangeRequest {
	if n >= len(reqs) {
		return nil
	}
	return reqs[n:]
}

// writeStatus updates the status subresource when it changed. The update carries
// the resourceVersion read, so a concurrent write (a new state-change request from
// virt-api) makes it fail with a conflict and the VM is synced again.
func (c *Controller) writeStatus(ctx context.Context, old, vm *virtv1.VirtualMachine) error {
	if equality.Semantic.DeepEqual(old.Status, vm.Status) {
		return nil
	}
	_, err := c.cfg.Kvirt.KubevirtV1().VirtualMachines(vm.Namespace).UpdateStatus(ctx, vm, metav1.UpdateOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update vm status %s/%s: %w", vm.Namespace, vm.Name, err)
	}
	return nil
}

// deleteOrphans removes the VMIs of a VM that is gone (the garbage collector does
// too, where one runs).
func (c *Controller) deleteOrphans(ctx context.Context, ns, name string) error {
	vmis, err := c.vmis.VirtualMachineInstances(ns).List(labels.Everything())
	if err != nil {
		return fmt.Errorf("list vmis: %w", err)
	}
	var errs []error
	for _, vmi := range vmis {
		ref := metav1.GetControllerOf(vmi)
		if ref == nil || ref.Kind != "VirtualMachine" || ref.Name != name || vmi.DeletionTimestamp != nil {
			continue
		}
		uid := vmi.UID
		err := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(ctx, vmi.Name,
			metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete orphaned vmi %s/%s: %w", ns, vmi.Name, err))
		}
	}
	return errors.Join(errs...)
}
