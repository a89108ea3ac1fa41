package vmi

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
)

// vmisByClaim indexes VMIs by namespace/name of each claim or DataVolume their
// volumes use, so a claim or DataVolume event reaches the VMIs using it.
const vmisByClaim = "claim"

func indexByClaim(obj interface{}) ([]string, error) {
	vmi, ok := obj.(*virtv1.VirtualMachineInstance)
	if !ok {
		return nil, nil
	}
	var keys []string
	for _, v := range vmi.Spec.Volumes {
		if n := claimName(v); n != "" {
			keys = append(keys, vmi.Namespace+"/"+n)
		}
	}
	return keys, nil
}

// watchStorage indexes the VMIs by claim and enqueues the users of every claim
// and DataVolume that changes.
func (c *Controller) watchStorage() error {
	if err := c.cfg.VMIs.Informer().AddIndexers(cache.Indexers{vmisByClaim: indexByClaim}); err != nil {
		return fmt.Errorf("add vmi claim index: %w", err)
	}
	c.vmiIndex = c.cfg.VMIs.Informer().GetIndexer()
	enqueue := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		m, err := meta(obj)
		if err != nil {
			return
		}
		users, _ := c.vmiIndex.ByIndex(vmisByClaim, m.GetNamespace()+"/"+m.GetName())
		for _, o := range users {
			if vmi, ok := o.(*virtv1.VirtualMachineInstance); ok {
				c.loop.Add(vmi.Namespace + "/" + vmi.Name)
			}
		}
	}
	h := cache.ResourceEventHandlerFuncs{AddFunc: enqueue, UpdateFunc: func(_, o interface{}) { enqueue(o) }, DeleteFunc: enqueue}
	c.claims = c.cfg.Claims.Lister()
	c.synced = append(c.synced, c.cfg.Claims.Informer().HasSynced)
	if _, err := c.cfg.Claims.Informer().AddEventHandler(h); err != nil {
		return fmt.Errorf("watch claims: %w", err)
	}
	if c.cfg.DataVolumes == nil {
		return nil
	}
	c.dataVolumes = c.cfg.DataVolumes.Lister()
	c.synced = append(c.synced, c.cfg.DataVolumes.Informer().HasSynced)
	if _, err := c.cfg.DataVolumes.Informer().AddEventHandler(h); err != nil {
		return fmt.Errorf("watch datavolumes: %w", err)
	}
	return nil
}

func meta(obj interface{}) (metav1.Object, error) {
	switch o := obj.(type) {
	case *corev1.PersistentVolumeClaim:
		return o, nil
	case *cdiv1beta1.DataVolume:
		return o, nil
	}
	return nil, fmt.Errorf("unexpected %T", obj)
}

// storage reads the claims and DataVolumes the VMI's volumes use from the caches.
func (c *Controller) storage(vmi *virtv1.VirtualMachineInstance) (Storage, error) {
	s := Storage{
		DataVolumes: map[string]*cdiv1beta1.DataVolume{}, Claims: map[string]*corev1.PersistentVolumeClaim{},
		DataVolumesServed: c.dataVolumes != nil,
	}
	if c.claims == nil {
		return s, nil
	}
	for _, v := range vmi.Spec.Volumes {
		name := claimName(v)
		if name == "" {
			continue
		}
		claim, err := c.claims.PersistentVolumeClaims(vmi.Namespace).Get(name)
		switch {
		case err == nil:
			s.Claims[name] = claim
		case !apierrors.IsNotFound(err):
			return s, fmt.Errorf("get claim %s/%s: %w", vmi.Namespace, name, err)
		}
		if v.DataVolume == nil || c.dataVolumes == nil {
			continue
		}
		dv, err := c.dataVolumes.DataVolumes(vmi.Namespace).Get(name)
		switch {
		case err == nil:
			s.DataVolumes[name] = dv
		case !apierrors.IsNotFound(err):
			return s, fmt.Errorf("get datavolume %s/%s: %w", vmi.Namespace, name, err)
		}
	}
	return s, nil
}

// observeStorage adds the volume observations to the decision for a live VMI;
// a launcher pod about to be created waits, the VMI held in Pending, while a
// DataVolume it uses is not ready (the DataVolume's events bring it back).
//
// A VMI on a node (Scheduled or Running) also gets its LiveMigratable
// condition, which the claims' access modes decide in part.
func (c *Controller) observeStorage(vmi *virtv1.VirtualMachineInstance, d Decision, now metav1.Time) (Decision, error) {
	if vmi.DeletionTimestamp != nil || vmi.Status.Phase.IsFinal() {
		return d, nil
	}
	s, err := c.storage(vmi)
	if err != nil {
		return d, err
	}
	if p := d.VMI.Status.Phase; p == virtv1.Scheduled || p == virtv1.Running {
		ObserveLiveMigratable(d.VMI, s, now)
	}
	if c.claims == nil {
		return d, nil
	}
	if ObserveStorage(d.VMI, s, now) || d.Pod != PodCreate {
		return d, nil
	}
	held := HoldPending(vmi, now)
	ObserveStorage(held, s, now)
	return Decision{VMI: held}, nil
}
