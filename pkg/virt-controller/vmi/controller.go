package vmi

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
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
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

// Event reasons, upstream's: on the VMI for its launcher pod.
const (
	EventSuccessfulCreate = "SuccessfulCreate"
	EventFailedCreate     = "FailedCreate"
	EventSuccessfulDelete = "SuccessfulDelete"
	EventFailedDelete     = "FailedDelete"
)

// claimRecheck is how soon a VMI whose claim is missing or unbound is looked at again.
const claimRecheck = 5 * time.Second

// podsByVMI indexes launcher pods by the namespace/name of their controlling VMI.
const podsByVMI = "vmi"

// Config wires the controller.
type Config struct {
	Kube         kubernetes.Interface
	Kvirt        kvirtclient.Interface
	VMIs         virtinformers.VirtualMachineInstanceInformer
	Pods         coreinformers.PodInformer
	Pod          launcherpod.Config
	QueueMetrics workqueue.MetricsProvider
	// Events records Kubernetes Events on the VMI (pod created, deleted, or
	// failing to be); nil records none.
	Events record.EventRecorder
	// Claims, when set, feeds status.volumeStatus and the DataVolumesReady
	// condition of VMIs with claim-backed volumes.
	Claims coreinformers.PersistentVolumeClaimInformer
	// DataVolumes watches cdi.kubevirt.io DataVolumes (with Claims); nil when
	// the cluster serves no DataVolume API.
	DataVolumes cdiinformers.DataVolumeInformer
}

// Controller is the VMI controller.
type Controller struct {
	cfg      Config
	vmis     virtlisters.VirtualMachineInstanceLister
	pods     corelisters.PodLister
	podIndex cache.Indexer
	loop     *loop.Loop
	synced   []cache.InformerSynced
	// claims is nil when volumes are not observed; dataVolumes when no
	// DataVolume API is served.
	claims      corelisters.PersistentVolumeClaimLister
	dataVolumes cdilisters.DataVolumeLister
	vmiIndex    cache.Indexer
}

// New registers the controller's event handlers on the informers; call before
// starting them.
func New(cfg Config) (*Controller, error) {
	if cfg.Events == nil {
		cfg.Events = &record.FakeRecorder{}
	}
	c := &Controller{
		cfg:      cfg,
		vmis:     cfg.VMIs.Lister(),
		pods:     cfg.Pods.Lister(),
		podIndex: cfg.Pods.Informer().GetIndexer(),
		synced:   []cache.InformerSynced{cfg.VMIs.Informer().HasSynced, cfg.Pods.Informer().HasSynced},
	}
	c.loop = loop.New("virt-controller-vmi", c.sync, cfg.QueueMetrics)
	if err := cfg.Pods.Informer().AddIndexers(cache.Indexers{podsByVMI: indexByVMI}); err != nil {
		return nil, fmt.Errorf("add pod index: %w", err)
	}
	if _, err := cfg.VMIs.Informer().AddEventHandler(c.loop.Handler()); err != nil {
		return nil, fmt.Errorf("watch vmis: %w", err)
	}
	podHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueOwner,
		UpdateFunc: func(_, obj interface{}) { c.enqueueOwner(obj) },
		DeleteFunc: c.enqueueOwner,
	}
	if _, err := cfg.Pods.Informer().AddEventHandler(podHandler); err != nil {
		return nil, fmt.Errorf("watch pods: %w", err)
	}
	if cfg.Claims != nil {
		if err := c.watchStorage(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Run processes VMIs with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func indexByVMI(obj interface{}) ([]string, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, nil
	}
	ref := metav1.GetControllerOf(pod)
	if ref == nil || ref.Kind != "VirtualMachineInstance" {
		return nil, nil
	}
	return []string{pod.Namespace + "/" + ref.Name}, nil
}

func (c *Controller) enqueueOwner(obj interface{}) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	keys, _ := indexByVMI(obj)
	for _, k := range keys {
		c.loop.Add(k)
	}
}

func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	pods, err := c.podsOf(key)
	if err != nil {
		return 0, err
	}
	vmi, err := c.vmis.VirtualMachineInstances(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, c.deleteStrayPods(ctx, pods, "")
	}
	if err != nil {
		return 0, fmt.Errorf("get vmi %s: %w", key, err)
	}
	if err := c.deleteStrayPods(ctx, pods, vmi.UID); err != nil {
		return 0, err
	}
	pod, err := c.launcherPod(ctx, vmi, pods)
	if err != nil {
		return 0, err
	}
	if err := c.deleteReplaced(ctx, vmi, pods, pod); err != nil {
		return 0, err
	}
	now := metav1.Now()
	d, err := c.observeStorage(vmi, Decide(vmi, pod, now), now)
	if err != nil {
		return 0, err
	}
	if err := c.applyPod(ctx, vmi, d.Pod); err != nil {
		if d.Pod == PodCreate {
			// say why on the VMI; the key is retried with backoff either way
			ce, waitsForClaim := launcherpod.AsClaimError(err)
			reason := ReasonFailedCreate
			if waitsForClaim {
				reason = ce.Reason
			}
			applyErr := c.applyVMI(ctx, vmi, CreateFailedFor(vmi, reason, err.Error(), now))
			if waitsForClaim && applyErr == nil {
				// no claim informer: look again soon rather than after a
				// growing backoff, so a claim that gets bound is seen
				return claimRecheck, nil
			}
		}
		return 0, err
	}
	return d.RetryAfter, c.applyVMI(ctx, vmi, d.VMI)
}

// launcherPod finds the VMI's current pod (CurrentPod) in the cache; when the
// cache has none although the VMI says a pod was made, it asks the apiserver
// before anyone concludes the pod vanished (the pod watch may lag behind the
// VMI watch).
func (c *Controller) launcherPod(ctx context.Context, vmi *virtv1.VirtualMachineInstance, pods []*corev1.Pod) (*corev1.Pod, error) {
	if pod := CurrentPod(vmi, pods); pod != nil {
		return pod, nil
	}
	if vmi.Status.Phase != virtv1.Scheduling && vmi.Status.Phase != virtv1.Scheduled && vmi.Status.Phase != virtv1.Running {
		return nil, nil
	}
	pod, err := c.cfg.Kube.CoreV1().Pods(vmi.Namespace).Get(ctx, currentPodName(vmi), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("get launcher pod of %s: %w", vmi.Name, err)
	case !ownedBy(pod, vmi.UID):
		return nil, nil
	}
	return pod, nil
}

// podsOf lists the cached launcher pods of the VMI with key.
func (c *Controller) podsOf(key string) ([]*corev1.Pod, error) {
	objs, err := c.podIndex.ByIndex(podsByVMI, key)
	if err != nil {
		return nil, fmt.Errorf("list pods of %s: %w", key, err)
	}
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, obj := range objs {
		if pod, ok := obj.(*corev1.Pod); ok {
			pods = append(pods, pod)
		}
	}
	return pods, nil
}

// deleteReplaced deletes the pods a completed migration left behind a
// running VMI (Replaced).
func (c *Controller) deleteReplaced(ctx context.Context, vmi *virtv1.VirtualMachineInstance, pods []*corev1.Pod,
	current *corev1.Pod) error {
	if vmi.Status.Phase != virtv1.Running {
		return nil
	}
	for _, old := range Replaced(vmi, pods, current) {
		if err := c.deletePod(ctx, vmi, old, nil); err != nil {
			return err
		}
	}
	return nil
}

func ownedBy(pod *corev1.Pod, uid types.UID) bool {
	ref := metav1.GetControllerOf(pod)
	return ref != nil && ref.UID == uid
}

// deleteStrayPods removes launcher pods of a VMI that no longer exists (or of an
// earlier VMI with the same name).
func (c *Controller) deleteStrayPods(ctx context.Context, pods []*corev1.Pod, current types.UID) error {
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil || ownedBy(pod, current) {
			continue
		}
		if err := c.deletePod(ctx, nil, pod, nil); err != nil {
			return err
		}
	}
	return nil
}

// deletePod deletes a launcher pod, with grace (seconds) when not nil, and
// records an Event on vmi when there is one.
func (c *Controller) deletePod(ctx context.Context, vmi *virtv1.VirtualMachineInstance, pod *corev1.Pod, grace *int64) error {
	err := c.cfg.Kube.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &pod.UID}, GracePeriodSeconds: grace,
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		if vmi != nil {
			c.cfg.Events.Eventf(vmi, corev1.EventTypeWarning, EventFailedDelete, "Error deleting pod %s: %v", pod.Name, err)
		}
		return fmt.Errorf("delete launcher pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if vmi != nil && err == nil {
		c.cfg.Events.Eventf(vmi, corev1.EventTypeNormal, EventSuccessfulDelete, "Deleted virtual machine pod %s", pod.Name)
	}
	klog.FromContext(ctx).V(2).Info("launcher pod deleted", "pod", klog.KObj(pod))
	return nil
}

func (c *Controller) applyPod(ctx context.Context, vmi *virtv1.VirtualMachineInstance, action PodAction) error {
	switch action {
	case PodCreate:
		modes, err := launcherpod.LookupClaims(ctx, c.cfg.Kube, vmi)
		if ce, ok := launcherpod.AsClaimError(err); ok {
			c.cfg.Events.Eventf(vmi, corev1.EventTypeWarning, ce.Reason, "%v", ce)
		}
		if err != nil {
			return err
		}
		pod := launcherpod.RenderWithClaims(vmi, c.cfg.Pod, modes)
		_, err = c.cfg.Kube.CoreV1().Pods(vmi.Namespace).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.cfg.Events.Eventf(vmi, corev1.EventTypeWarning, EventFailedCreate, "Error creating pod: %v", err)
			return fmt.Errorf("create launcher pod for %s/%s: %w", vmi.Namespace, vmi.Name, err)
		}
		if err == nil {
			c.cfg.Events.Eventf(vmi, corev1.EventTypeNormal, EventSuccessfulCreate, "Created virtual machine pod %s", pod.Name)
		}
		klog.FromContext(ctx).V(2).Info("launcher pod created", "vmi", klog.KObj(vmi), "pod", pod.Name)
	case PodDelete:
		pods, err := c.podIndex.ByIndex(podsByVMI, vmi.Namespace+"/"+vmi.Name)
		if err != nil {
			return fmt.Errorf("list pods of %s: %w", vmi.Name, err)
		}
		for _, obj := range pods {
			if pod, ok := obj.(*corev1.Pod); ok && pod.DeletionTimestamp == nil {
				grace := launcherpod.GracePeriod(vmi)
				if err := c.deletePod(ctx, vmi, pod, &grace); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (c *Controller) applyVMI(ctx context.Context, old, new *virtv1.VirtualMachineInstance) error {
	patch, err := mergePatch(old, new)
	if err != nil || patch == nil {
		return err
	}
	_, err = c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(old.Namespace).Patch(ctx, old.Name,
		types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch vmi %s/%s: %w", old.Namespace, old.Name, err)
	}
	if old.Status.Phase != new.Status.Phase {
		klog.FromContext(ctx).Info("vmi phase changed", "vmi", klog.KObj(old), "from", old.Status.Phase, "to", new.Status.Phase)
	}
	return nil
}
