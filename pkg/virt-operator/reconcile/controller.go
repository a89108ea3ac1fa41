package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	kvlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/apply"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// Finalizer keeps a KubeVirt resource until its install is removed (upstream's name).
const Finalizer = "foregroundDeleteKubeVirt"

// resync bounds how long the controller goes without looking at the install.
const resync = time.Minute

// Config wires a Controller.
type Config struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
	// Applier writes the install.
	Applier *apply.Applier
	// KubeVirts watches every KubeVirt; Deployments and DaemonSets watch the
	// install namespace (filtered to the operator's objects).
	KubeVirts   kvinformers.KubeVirtInformer
	Deployments appsinformers.DeploymentInformer
	DaemonSets  appsinformers.DaemonSetInformer
	// Watched are informers on other installed kinds (Services, Secrets,
	// webhooks, ...): any event on them triggers a sync, so hand edits heal at once.
	Watched []cache.SharedIndexInformer
	// Install is the operator's side of the strategy (its CABundle is filled in here).
	Install  strategy.Config
	Validity certs.Validity
	// Version is reported as operatorVersion and target/observedKubeVirtVersion.
	Version string
	// DegradedAfter is how long components may be unready before Degraded.
	DegradedAfter time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Controller reconciles KubeVirt resources into the install.
type Controller struct {
	cfg       Config
	kubevirts kvlisters.KubeVirtLister
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced
}

// New registers the event handlers and returns the controller.
func New(cfg Config) (*Controller, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Controller{
		cfg:       cfg,
		kubevirts: cfg.KubeVirts.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "kubevirt"}),
	}
	kvHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, o interface{}) { c.enqueue(o) },
		DeleteFunc: func(interface{}) { c.enqueueAll() },
	}
	// Any change to what the operator installed looks at every KubeVirt again
	// (there is one in practice): a deleted Deployment comes back, readiness moves status.
	installHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { c.enqueueAll() },
		UpdateFunc: func(_, _ interface{}) { c.enqueueAll() },
		DeleteFunc: func(interface{}) { c.enqueueAll() },
	}
	for _, reg := range []struct {
		inf cache.SharedIndexInformer
		h   cache.ResourceEventHandler
	}{{cfg.KubeVirts.Informer(), kvHandler}, {cfg.Deployments.Informer(), installHandler}, {cfg.DaemonSets.Informer(), installHandler}} {
		r, err := watch(reg.inf, reg.h)
		if err != nil {
			return nil, err
		}
		c.synced = append(c.synced, r.HasSynced)
	}
	for _, inf := range cfg.Watched {
		r, err := watch(inf, installHandler)
		if err != nil {
			return nil, err
		}
		c.synced = append(c.synced, r.HasSynced)
	}
	return c, nil
}

func watch(inf cache.SharedIndexInformer, h cache.ResourceEventHandler) (cache.ResourceEventHandlerRegistration, error) {
	r, err := inf.AddEventHandler(h)
	if err != nil {
		return nil, fmt.Errorf("add event handler: %w", err)
	}
	return r, nil
}

func (c *Controller) enqueue(obj interface{}) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

func (c *Controller) enqueueAll() {
	kvs, err := c.kubevirts.List(everything())
	if err != nil {
		return
	}
	for _, kv := range kvs {
		c.enqueue(kv)
	}
}

// Run waits for the caches and syncs with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	log := klog.FromContext(ctx).WithValues("controller", "kubevirt")
	ctx = klog.NewContext(ctx, log)
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return fmt.Errorf("kubevirt controller: caches did not sync: %w", ctx.Err())
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for c.next(ctx) {
				}
			}, time.Second)
		}()
	}
	log.Info("workers started", "workers", workers)
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	return nil
}

func (c *Controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	after, err := c.sync(ctx, key)
	switch {
	case err != nil:
		// A conflict only means the cache was behind our own last write.
		if !errors.Is(err, context.Canceled) && !apierrors.IsConflict(err) {
			klog.FromContext(ctx).Info("sync failed, requeueing", "key", key, "err", err.Error())
		}
		c.queue.AddRateLimited(key)
	default:
		c.queue.Forget(key)
		if after > 0 {
			c.queue.AddAfter(key, after)
		}
	}
	return true
}

// sync reconciles one KubeVirt and says when to look again.
func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil // a malformed key never becomes valid: drop it
	}
	kv, err := c.kubevirts.KubeVirts(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get kubevirt %s: %w", key, err)
	}
	kv = kv.DeepCopy()
	if active, err := c.active(); err != nil {
		return 0, err
	} else if active.UID != kv.UID {
		return 0, c.ignore(ctx, kv, active)
	}
	if kv.DeletionTimestamp != nil {
		return c.uninstall(ctx, kv)
	}
	return c.install(ctx, kv)
}

// active is the KubeVirt that drives the install: the oldest one (by creation
// time, then namespace/name), like upstream honours only the first.
func (c *Controller) active() (*virtv1.KubeVirt, error) {
	kvs, err := c.kubevirts.List(everything())
	if err != nil {
		return nil, fmt.Errorf("list kubevirts: %w", err)
	}
	if len(kvs) == 0 {
		return nil, errors.New("no kubevirt in the cache")
	}
	sort.Slice(kvs, func(i, j int) bool {
		a, b := kvs[i], kvs[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	return kvs[0], nil
}

// writeStatus updates the status subresource when it changed.
func (c *Controller) writeStatus(ctx context.Context, kv *virtv1.KubeVirt, st virtv1.KubeVirtStatus) error {
	if equality.Semantic.DeepEqual(kv.Status, st) {
		return nil
	}
	kv.Status = st
	updated, err := c.cfg.Kvirt.KubevirtV1().KubeVirts(kv.Namespace).UpdateStatus(ctx, kv, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil // gone since the cache saw it: nothing left to report on
	}
	if err != nil {
		return fmt.Errorf("update kubevirt status: %w", err)
	}
	*kv = *updated
	return nil
}

// patchFinalizers writes kv's finalizers, guarded by its resourceVersion.
func (c *Controller) patchFinalizers(ctx context.Context, kv *virtv1.KubeVirt) error {
	patch, err := finalizerPatch(kv)
	if err != nil {
		return err
	}
	updated, err := c.cfg.Kvirt.KubevirtV1().KubeVirts(kv.Namespace).Patch(ctx, kv.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("patch kubevirt finalizers: %w", err)
	}
	*kv = *updated
	return nil
}
