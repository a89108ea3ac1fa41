package replicaset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	virtinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/expectations"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

const kind = "VirtualMachineInstanceReplicaSet"

// Config wires the controller.
type Config struct {
	Kvirt        kvirtclient.Interface
	ReplicaSets  virtinformers.VirtualMachineInstanceReplicaSetInformer
	VMIs         virtinformers.VirtualMachineInstanceInformer
	QueueMetrics workqueue.MetricsProvider
}

// Controller is the VMIRS controller.
type Controller struct {
	cfg    Config
	sets   virtlisters.VirtualMachineInstanceReplicaSetLister
	vmis   virtlisters.VirtualMachineInstanceLister
	expect *expectations.Expectations
	loop   *loop.Loop
	synced []cache.InformerSynced
}

// New registers event handlers; call before starting the informers.
func New(cfg Config) (*Controller, error) {
	c := &Controller{
		cfg: cfg, sets: cfg.ReplicaSets.Lister(), vmis: cfg.VMIs.Lister(), expect: expectations.New(),
		synced: []cache.InformerSynced{cfg.ReplicaSets.Informer().HasSynced, cfg.VMIs.Informer().HasSynced},
	}
	c.loop = loop.New("virt-controller-replicaset", c.sync, cfg.QueueMetrics)
	if _, err := cfg.ReplicaSets.Informer().AddEventHandler(c.loop.Handler()); err != nil {
		return nil, fmt.Errorf("watch replica sets: %w", err)
	}
	_, err := cfg.VMIs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { c.vmiEvent(obj, false, false) },
		UpdateFunc: func(_, obj interface{}) { c.vmiEvent(obj, false, true) },
		DeleteFunc: func(obj interface{}) { c.vmiEvent(obj, true, false) },
	})
	if err != nil {
		return nil, fmt.Errorf("watch vmis: %w", err)
	}
	return c, nil
}

func (c *Controller) vmiEvent(obj interface{}, deleted, update bool) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	vmi, ok := obj.(*virtv1.VirtualMachineInstance)
	if !ok {
		return
	}
	ref := metav1.GetControllerOf(vmi)
	if ref == nil || ref.Kind != kind {
		return
	}
	key := vmi.Namespace + "/" + ref.Name
	if !update {
		c.expect.Observed(key, deleted)
	}
	c.loop.Add(key)
}

// Run processes replica sets with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	rs, err := c.sets.VirtualMachineInstanceReplicaSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expect.Forget(key)
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get replica set %s: %w", key, err)
	}
	selector, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		return 0, nil // invalid selectors are rejected at admission; nothing to do
	}
	vmis, err := c.owned(rs, selector)
	if err != nil {
		return 0, err
	}
	var scaled Scaled
	if rs.DeletionTimestamp == nil && c.expect.Satisfied(key) {
		d := Decide(rs, vmis)
		scaled = Scaled{Acted: d.Create > 0 || len(d.Delete) > 0, Creating: d.Create > 0}
		scaled.Err = c.act(ctx, key, rs, d)
	}
	actErr := scaled.Err
	status := Status(rs, vmis, selector.String(), scaled, time.Now())
	if equality.Semantic.DeepEqual(status, rs.Status) {
		return 0, actErr
	}
	updated := rs.DeepCopy()
	updated.Status = status
	_, err = c.cfg.Kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return 0, errors.Join(actErr, fmt.Errorf("update replica set status %s: %w", key, err))
	}
	return 0, actErr
}

func (c *Controller) owned(rs *virtv1.VirtualMachineInstanceReplicaSet, selector labels.Selector) ([]*virtv1.VirtualMachineInstance, error) {
	all, err := c.vmis.VirtualMachineInstances(rs.Namespace).List(selector)
	if err != nil {
		return nil, fmt.Errorf("list vmis: %w", err)
	}
	var out []*virtv1.VirtualMachineInstance
	for _, vmi := range all {
		if metav1.IsControlledBy(vmi, rs) {
			out = append(out, vmi)
		}
	}
	return out, nil
}

func (c *Controller) act(ctx context.Context, key string, rs *virtv1.VirtualMachineInstanceReplicaSet, d Decision) error {
	if d.Create == 0 && len(d.Delete) == 0 {
		return nil
	}
	c.expect.Expect(key, d.Create, len(d.Delete))
	client := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(rs.Namespace)
	var errs []error
	for i := 0; i < d.Create; i++ {
		if _, err := client.Create(ctx, newVMI(rs), metav1.CreateOptions{}); err != nil {
			c.expect.Observed(key, false)
			errs = append(errs, fmt.Errorf("create vmi for %s: %w", key, err))
		}
	}
	for _, vmi := range d.Delete {
		uid := vmi.UID
		err := client.Delete(ctx, vmi.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil {
			c.expect.Observed(key, true)
			if !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("delete vmi %s: %w", vmi.Name, err))
			}
		}
	}
	klog.FromContext(ctx).V(2).Info("scaled", "replicaSet", key, "created", d.Create, "deleted", len(d.Delete))
	return errors.Join(errs...)
}

func newVMI(rs *virtv1.VirtualMachineInstanceReplicaSet) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    rs.Name,
			Namespace:       rs.Namespace,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(rs, virtv1.SchemeGroupVersion.WithKind(kind))},
		},
	}
	if t := rs.Spec.Template; t != nil {
		vmi.Labels = map[string]string{}
		for k, v := range t.ObjectMeta.Labels {
			vmi.Labels[k] = v
		}
		if len(t.ObjectMeta.Annotations) > 0 {
			vmi.Annotations = map[string]string{}
			for k, v := range t.ObjectMeta.Annotations {
				vmi.Annotations[k] = v
			}
		}
		t.Spec.DeepCopyInto(&vmi.Spec)
	}
	return vmi
}
