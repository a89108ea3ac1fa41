package migration

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	virtinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/mergepatch"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

const (
	byVMI = "vmi"
	byUID = "uid"
	// pendingRetry is how often a migration held by a limit looks again.
	pendingRetry = 2 * time.Second
)

// Config wires the controller.
type Config struct {
	Kube       kubernetes.Interface
	Kvirt      kvirtclient.Interface
	Migrations virtinformers.VirtualMachineInstanceMigrationInformer
	VMIs       virtinformers.VirtualMachineInstanceInformer
	Pods       coreinformers.PodInformer
	Pod        launcherpod.Config
	Limits     Limits
	// Policies finds each migration's MigrationPolicy and configuration; its
	// zero value applies upstream's defaults.
	Policies     Policies
	QueueMetrics workqueue.MetricsProvider
}

// Controller is the migration controller.
type Controller struct {
	cfg        Config
	migrations virtlisters.VirtualMachineInstanceMigrationLister
	index      cache.Indexer
	vmis       virtlisters.VirtualMachineInstanceLister
	pods       corelisters.PodLister
	loop       *loop.Loop
	synced     []cache.InformerSynced
}

// New registers event handlers and indexes; call before starting the informers.
func New(cfg Config) (*Controller, error) {
	c := &Controller{
		cfg: cfg, migrations: cfg.Migrations.Lister(), index: cfg.Migrations.Informer().GetIndexer(),
		vmis: cfg.VMIs.Lister(), pods: cfg.Pods.Lister(),
		synced: []cache.InformerSynced{cfg.Migrations.Informer().HasSynced, cfg.VMIs.Informer().HasSynced, cfg.Pods.Informer().HasSynced},
	}
	c.synced = append(c.synced, cfg.Policies.Synced...)
	c.loop = loop.New("virt-controller-migration", c.sync, cfg.QueueMetrics)
	err := cfg.Migrations.Informer().AddIndexers(cache.Indexers{
		byVMI: func(obj interface{}) ([]string, error) {
			m := obj.(*virtv1.VirtualMachineInstanceMigration)
			return []string{m.Namespace + "/" + m.Spec.VMIName}, nil
		},
		byUID: func(obj interface{}) ([]string, error) {
			return []string{string(obj.(*virtv1.VirtualMachineInstanceMigration).UID)}, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("index migrations: %w", err)
	}
	if _, err := cfg.Migrations.Informer().AddEventHandler(c.loop.Handler()); err != nil {
		return nil, fmt.Errorf("watch migrations: %w", err)
	}
	if _, err := cfg.VMIs.Informer().AddEventHandler(handler(func(obj interface{}) {
		if vmi, ok := obj.(*virtv1.VirtualMachineInstance); ok {
			c.enqueueBy(byVMI, vmi.Namespace+"/"+vmi.Name)
		}
	})); err != nil {
		return nil, fmt.Errorf("watch vmis: %w", err)
	}
	if _, err := cfg.Pods.Informer().AddEventHandler(handler(func(obj interface{}) {
		if pod, ok := obj.(*corev1.Pod); ok && pod.Labels[virtv1.MigrationJobLabel] != "" {
			c.enqueueBy(byUID, pod.Labels[virtv1.MigrationJobLabel])
		}
	})); err != nil {
		return nil, fmt.Errorf("watch pods: %w", err)
	}
	return c, nil
}

func handler(f func(obj interface{})) cache.ResourceEventHandler {
	unwrap := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		f(obj)
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: unwrap, UpdateFunc: func(_, o interface{}) { unwrap(o) }, DeleteFunc: unwrap}
}

func (c *Controller) enqueueBy(index, value string) {
	objs, _ := c.index.ByIndex(index, value)
	for _, obj := range objs {
		c.loop.Enqueue(obj)
	}
}

// Run processes migrations with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	m, err := c.migrations.VirtualMachineInstanceMigrations(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get migration %s: %w", key, err)
	}
	vmi, err := c.vmis.VirtualMachineInstances(ns).Get(m.Spec.VMIName)
	if err != nil && !apierrors.IsNotFound(err) {
		return 0, fmt.Errorf("get vmi of %s: %w", key, err)
	}
	if err != nil {
		vmi = nil
	}
	var target *corev1.Pod
	if vmi != nil {
		if target, err = c.targetPod(ctx, vmi, m); err != nil {
			return 0, err
		}
	}
	d := Decide(m, vmi, target, c.load(m, vmi), c.cfg.Limits, metav1.Now())
	if d.Pod == PodCreate {
		name, cfg := c.cfg.Policies.For(vmi)
		d = WithPolicy(d, name, cfg)
	}
	if err := c.applyPod(ctx, vmi, m, target, d.Pod); err != nil {
		return 0, err
	}
	if err := c.applyVMI(ctx, vmi, d.VMI); err != nil {
		return 0, err
	}
	if err := c.applyMigration(ctx, m, d.Migration); err != nil {
		return 0, err
	}
	if d.Waiting {
		return pendingRetry, nil
	}
	return d.RetryAfter, nil
}

// targetPod is the migration's target pod: from the cache, or from the API when
// the cache has none while the migration still holds its finalizer (it may
// have created one). The pod informer can lag behind the migration's own
// status update; trusting it would fail a migration whose new pod is not
// cached yet ("vanished") or forget a pod that then outlives its migration.
func (c *Controller) targetPod(ctx context.Context, vmi *virtv1.VirtualMachineInstance,
	m *virtv1.VirtualMachineInstanceMigration) (*corev1.Pod, error) {
	name := launcherpod.TargetName(vmi, m.UID)
	if pod, err := c.pods.Pods(m.Namespace).Get(name); err == nil {
		return pod, nil
	}
	if !slices.Contains(m.Finalizers, virtv1.VirtualMachineInstanceMigrationFinalizer) {
		return nil, nil
	}
	pod, err := c.cfg.Kube.CoreV1().Pods(m.Namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("get target pod %s/%s: %w", m.Namespace, name, err)
	}
	if pod.Labels[virtv1.MigrationJobLabel] != string(m.UID) {
		return nil, nil
	}
	return pod, nil
}

// load counts the other active migrations, cluster-wide and leaving the VMI's node.
func (c *Controller) load(self *virtv1.VirtualMachineInstanceMigration, vmi *virtv1.VirtualMachineInstance) Load {
	var l Load
	all, err := c.migrations.List(labels.Everything())
	if err != nil {
		return l
	}
	for _, m := range all {
		if m.UID == self.UID || !Active(m) {
			continue
		}
		l.Cluster++
		if vmi != nil && m.Status.MigrationState != nil && m.Status.MigrationState.SourceNode == vmi.Status.NodeName {
			l.OutboundFromSource++
		}
	}
	return l
}

func (c *Controller) applyPod(ctx context.Context, vmi *virtv1.VirtualMachineInstance, m *virtv1.VirtualMachineInstanceMigration,
	target *corev1.Pod, action PodAction) error {
	pods := c.cfg.Kube.CoreV1().Pods(m.Namespace)
	switch action {
	case PodCreate:
		modes, err := launcherpod.LookupClaims(ctx, c.cfg.Kube, vmi)
		if err != nil {
			return err
		}
		pod := launcherpod.RenderTarget(vmi, m.UID, vmi.Status.NodeName, c.cfg.Pod, modes)
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create target pod for %s/%s: %w", m.Namespace, m.Name, err)
		}
		klog.FromContext(ctx).Info("migration target pod created", "migration", klog.KObj(m), "pod", pod.Name)
	case PodDelete:
		uid := target.UID
		err := pods.Delete(ctx, target.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete target pod %s: %w", target.Name, err)
		}
	}
	return nil
}

// applyVMI writes the VMI's migration state, active pods and labels as a merge
// patch guarded by the resourceVersion read.
func (c *Controller) applyVMI(ctx context.Context, old, new *virtv1.VirtualMachineInstance) error {
	if old == nil || new == nil {
		return nil
	}
	status := map[string]interface{}{}
	if !equality.Semantic.DeepEqual(old.Status.MigrationState, new.Status.MigrationState) {
		st, err := statePatch(old.Status.MigrationState, new.Status.MigrationState)
		if err != nil {
			return err
		}
		status["migrationState"] = st
	}
	if !reflect.DeepEqual(old.Status.ActivePods, new.Status.ActivePods) {
		status["activePods"] = mergepatch.MapDiff(old.Status.ActivePods, new.Status.ActivePods)
	}
	meta := map[string]interface{}{"resourceVersion": old.ResourceVersion}
	if !reflect.DeepEqual(old.Labels, new.Labels) {
		meta["labels"] = mergepatch.MapDiff(old.Labels, new.Labels)
	}
	if len(status) == 0 && len(meta) == 1 {
		return nil
	}
	raw, err := json.Marshal(map[string]interface{}{"metadata": meta, "status": status})
	if err != nil {
		return fmt.Errorf("marshal vmi patch: %w", err)
	}
	_, err = c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(old.Namespace).Patch(ctx, old.Name, types.MergePatchType, raw, metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("patch vmi %s/%s: %w", old.Namespace, old.Name, err)
	}
	return nil
}

// applyMigration writes metadata (finalizer, label) with an update and the
// status through the status subresource, each only when it changed.
func (c *Controller) applyMigration(ctx context.Context, old, new *virtv1.VirtualMachineInstanceMigration) error {
	client := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstanceMigrations(old.Namespace)
	cur := old
	if !reflect.DeepEqual(old.Finalizers, new.Finalizers) || !reflect.DeepEqual(old.Labels, new.Labels) {
		upd := old.DeepCopy()
		upd.Finalizers, upd.Labels = new.Finalizers, new.Labels
		var err error
		if cur, err = client.Update(ctx, upd, metav1.UpdateOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("update migration %s/%s: %w", old.Namespace, old.Name, err)
		}
	}
	if equality.Semantic.DeepEqual(old.Status, new.Status) || new.DeletionTimestamp != nil && len(new.Finalizers) == 0 {
		return nil
	}
	upd := cur.DeepCopy()
	upd.Status = new.Status
	if _, err := client.UpdateStatus(ctx, upd, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update migration status %s/%s: %w", old.Namespace, old.Name, err)
	}
	if old.Status.Phase != new.Status.Phase {
		klog.FromContext(ctx).Info("migration phase changed", "migration", klog.KObj(old), "from", old.Status.Phase, "to", new.Status.Phase)
	}
	return nil
}

// statePatch is the merge patch turning the migration state old into new: new's
// fields, and null for each field old has that new lacks. Sent as a plain object,
// a new migration's state would keep the previous one's failed, failureReason,
// abortStatus, endTimestamp, ... (a merge patch keeps what it does not name).
func statePatch(old, new *virtv1.VirtualMachineInstanceMigrationState) (interface{}, error) {
	if new == nil {
		return nil, nil
	}
	o, err := fieldsOf(old)
	if err != nil {
		return nil, err
	}
	n, err := fieldsOf(new)
	if err != nil {
		return nil, err
	}
	for k := range o {
		if _, ok := n[k]; !ok {
			n[k] = nil
		}
	}
	return n, nil
}

func fieldsOf(st *virtv1.VirtualMachineInstanceMigrationState) (map[string]interface{}, error) {
	m := map[string]interface{}{}
	if st == nil {
		return m, nil
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("marshal migration state: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("unmarshal migration state: %w", err)
	}
	return m, nil
}
