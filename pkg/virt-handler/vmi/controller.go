package vmi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned"
	kvinformers "kvirt.io/client-go/generated/informers/externalversions"
	kvlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/migrationmetrics"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
)

// Config wires the controller.
type Config struct {
	Client versioned.Interface
	// Kube watches the launcher pods of this node.
	Kube     kubernetes.Interface
	NodeName string
	// Dialer reaches a socket in a launcher pod (podsocket.Dialer).
	Dialer PodDialer
	Store  *statestore.Store
	// Accelerator is passed to launchers; AcceleratorError, if set, fails
	// every VMI that has not started with ReasonNoAccelerator.
	Accelerator      string
	AcceleratorError string
	// DefaultGrace is the shutdown deadline when a VMI sets none.
	DefaultGrace time.Duration
	// LauncherWatchdog is how long a launcher that answered before may stay
	// silent before its VMI fails (default DefaultLauncherWatchdog).
	LauncherWatchdog time.Duration
	Workers          int
	Resync           time.Duration
	// Network builds pod network bindings in launcher pods (Setup); nil
	// builds none.
	Network PodNetwork
	// Migrations opens a migration's streams to the target node's handler
	// (mutual TLS with this node's certificate); nil sends no migration.
	Migrations *migrationproxy.Dialer
	// MigrationAddress and MigrationPort are where other handlers reach this
	// one's migration relay (the node API's advertised address).
	MigrationAddress string
	MigrationPort    int32
}

// Controller syncs the VMIs of one node.
type Controller struct {
	cfg    Config
	lister kvlisters.VirtualMachineInstanceLister
	synced cache.InformerSynced
	queue  workqueue.TypedRateLimitingInterface[string]
	inf    kvinformers.SharedInformerFactory
	pods   launcherPods
	// targets are the VMIs migrating to this node (their
	// migrationTargetNodeName label), before they are this node's.
	targets       kvlisters.VirtualMachineInstanceLister
	targetsSynced cache.InformerSynced
	tinf          kvinformers.SharedInformerFactory
	relays        map[string]*relaySet
	sending       map[string]migrationmetrics.Progress

	// base bounds the per-launcher event streams; stop ends them.
	base    context.Context
	stop    context.CancelFunc
	watches sync.WaitGroup
	mu      sync.Mutex
	clients map[string]*launcher
	live    map[string]*launcherLiveness
}

// New builds the controller and its informer.
func New(cfg Config) *Controller {
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	if cfg.Resync == 0 {
		cfg.Resync = 30 * time.Second
	}
	if cfg.DefaultGrace == 0 {
		cfg.DefaultGrace = 30 * time.Second
	}
	if cfg.LauncherWatchdog == 0 {
		cfg.LauncherWatchdog = DefaultLauncherWatchdog
	}
	inf := kvinformers.NewSharedInformerFactoryWithOptions(cfg.Client, cfg.Resync,
		kvinformers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = virtv1.NodeNameLabel + "=" + cfg.NodeName
		}))
	vmis := inf.Kubevirt().V1().VirtualMachineInstances()
	tinf := kvinformers.NewSharedInformerFactoryWithOptions(cfg.Client, cfg.Resync,
		kvinformers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = virtv1.MigrationTargetNodeNameLabel + "=" + cfg.NodeName
		}))
	incoming := tinf.Kubevirt().V1().VirtualMachineInstances()
	c := &Controller{
		cfg: cfg, lister: vmis.Lister(), synced: vmis.Informer().HasSynced, inf: inf,
		targets: incoming.Lister(), targetsSynced: incoming.Informer().HasSynced, tinf: tinf,
		queue:   workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](), workqueue.TypedRateLimitingQueueConfig[string]{Name: "vmi"}),
		clients: map[string]*launcher{}, live: map[string]*launcherLiveness{}, relays: map[string]*relaySet{},
		sending: map[string]migrationmetrics.Progress{},
	}
	c.base, c.stop = context.WithCancel(context.Background())
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			c.queue.Add(key)
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, o any) { enqueue(o) }, DeleteFunc: enqueue,
	}
	_, _ = vmis.Informer().AddEventHandler(handler)
	_, _ = incoming.Informer().AddEventHandler(handler)
	c.pods = newLauncherPods(cfg.Kube, cfg.NodeName, cfg.Resync, c.queue.Add)
	return c
}

// Run processes VMIs until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	defer c.queue.ShutDown()
	c.inf.Start(ctx.Done())
	defer c.inf.Shutdown()
	c.tinf.Start(ctx.Done())
	defer c.tinf.Shutdown()
	c.pods.inf.Start(ctx.Done())
	defer c.pods.inf.Shutdown()
	// The informers first: after a restart, every launcher is found again
	// from its pod before any VMI is synced.
	if !cache.WaitForCacheSync(ctx.Done(), c.synced, c.targetsSynced, c.pods.synced) {
		return fmt.Errorf("vmi and pod informers did not sync")
	}
	c.enqueueStored()
	var wg sync.WaitGroup
	for range c.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c.next(ctx) {
			}
		}()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	c.closeAllRelays()
	c.closeClients()
	c.stop()
	c.watches.Wait()
	return nil
}

// enqueueStored revisits VMIs known from disk, including ones deleted while the
// handler was down.
func (c *Controller) enqueueStored() {
	records, err := c.cfg.Store.List()
	if err != nil {
		return
	}
	for _, r := range records {
		c.queue.Add(r.Namespace + "/" + r.Name)
	}
}

func (c *Controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	requeue, err := c.sync(ctx, key)
	switch {
	case err != nil:
		klog.FromContext(ctx).Error(err, "sync vmi", "vmi", key)
		c.queue.AddRateLimited(key)
	case requeue > 0:
		c.queue.Forget(key)
		c.queue.AddAfter(key, requeue)
	default:
		c.queue.Forget(key)
	}
	return true
}

// patchStatus writes the handler's status fields with optimistic locking.
func (c *Controller) patchStatus(ctx context.Context, vmi *virtv1.VirtualMachineInstance, st virtv1.VirtualMachineInstanceStatus) error {
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": vmi.ResourceVersion},
		"status": map[string]any{
			"phase": st.Phase, "reason": st.Reason, "nodeName": st.NodeName,
			"conditions": st.Conditions, "interfaces": st.Interfaces,
			"phaseTransitionTimestamps": st.PhaseTransitionTimestamps,
			"guestOSInfo":               guestOSInfoPatch(st.GuestOSInfo), "fsFreezeStatus": orNull(st.FsFreezeStatus),
		},
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode status patch: %w", err)
	}
	_, err = c.cfg.Client.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(ctx, vmi.Name,
		types.MergePatchType, raw, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch status of %s/%s: %w", vmi.Namespace, vmi.Name, err)
	}
	klog.FromContext(ctx).Info("vmi status updated", "vmi", klog.KObj(vmi), "phase", st.Phase, "reason", st.Reason)
	return nil
}

// orNull is s, or JSON null (which removes the field in a merge patch).
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// guestOSInfoPatch names every field, so that one the guest stopped reporting
// is removed rather than kept by the merge.
func guestOSInfoPatch(o virtv1.VirtualMachineInstanceGuestOSInfo) any {
	if o == (virtv1.VirtualMachineInstanceGuestOSInfo{}) {
		return nil
	}
	return map[string]any{"id": orNull(o.ID), "kernelRelease": orNull(o.KernelRelease),
		"kernelVersion": orNull(o.KernelVersion), "machine": orNull(o.Machine), "name": orNull(o.Name),
		"prettyName": orNull(o.PrettyName), "version": orNull(o.Version), "versionId": orNull(o.VersionID)}
}

// errNotSynced answers node API calls that come before the VMI cache has
// synced (the caller retries: 503).
var errNotSynced = errors.New("virt-handler is starting: its VMI cache has not synced yet")

// Launcher returns the launcher of a running VMI on this node; found is false
// when this node runs no such VMI.
func (c *Controller) Launcher(ctx context.Context, namespace, name string) (cl *launcherclient.Client, found bool, err error) {
	if !c.synced() {
		// Just started: an unsynced cache would call a running VMI absent.
		return nil, true, errNotSynced
	}
	vmi, err := c.lister.VirtualMachineInstances(namespace).Get(name)
	if apierrors.IsNotFound(err) || (err == nil && vmi.Status.Phase != virtv1.Running) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get vmi: %w", err)
	}
	cl, err = c.launcher(ctx, vmi.Namespace, vmi.UID)
	if err != nil {
		return nil, true, err
	}
	return cl, true, nil
}
