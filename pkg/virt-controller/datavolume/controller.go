package datavolume

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	coreinformers "k8s.io/client-go/informers/core/v1"
	storageinformers "k8s.io/client-go/informers/storage/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	cdiinformers "kvirt.io/client-go/generated/informers/externalversions/cdi/v1beta1"
	cdilisters "kvirt.io/client-go/generated/listers/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

// bySource indexes DataVolumes by the claim they clone ("pvc/<ns>/<name>")
// and the DataSource they refer to ("ds/<ns>/<name>").
const bySource = "source"

// annDefaultClass marks the cluster's default StorageClass.
const annDefaultClass = "storageclass.kubernetes.io/is-default-class"

// Config wires the controller.
type Config struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
	// DataVolumes and DataSources are cdi.kubevirt.io informers.
	DataVolumes cdiinformers.DataVolumeInformer
	DataSources cdiinformers.DataSourceInformer
	// Claims watches every claim (the DataVolumes' and clone sources).
	Claims coreinformers.PersistentVolumeClaimInformer
	// Pods watches the transfer pods (label app=containerized-data-importer is enough).
	Pods coreinformers.PodInformer
	// StorageClasses is needed only with HonorWaitForFirstConsumer.
	StorageClasses storageinformers.StorageClassInformer
	// Policy is the pod configuration, retry backoff and progress interval.
	Policy Policy
	// HonorWaitForFirstConsumer keeps a DataVolume whose claim binds on first
	// use in WaitForFirstConsumer until the scheduler picked a node for the
	// claim; off, the transfer pod is the first consumer.
	HonorWaitForFirstConsumer bool
	// Progress reads a running importer's progress; nil reads it over HTTP.
	Progress ProgressReader
	// UploadClientCA returns the PEM bundle (the kubevirt-ca bundle) that
	// upload clients' certificates must chain to; it is copied into each
	// upload pod's TLS Secret. Nil: upload DataVolumes get no pod (an
	// ErrPodCreate Event says why).
	UploadClientCA func() ([]byte, error)
	// Events records Events on the DataVolumes; nil records none.
	Events       record.EventRecorder
	QueueMetrics workqueue.MetricsProvider
}

// Controller is the DataVolume controller.
type Controller struct {
	cfg     Config
	dvs     cdilisters.DataVolumeLister
	dvIndex cache.Indexer
	sources cdilisters.DataSourceLister
	claims  corelisters.PersistentVolumeClaimLister
	pods    corelisters.PodLister
	classes storagelisters.StorageClassLister
	loop    *loop.Loop
	synced  []cache.InformerSynced
}

// New fills Config's defaults and registers the event handlers; call it
// before starting the informers.
func New(cfg Config) (*Controller, error) {
	applyDefaults(&cfg)
	c := &Controller{
		cfg: cfg, dvs: cfg.DataVolumes.Lister(), dvIndex: cfg.DataVolumes.Informer().GetIndexer(),
		sources: cfg.DataSources.Lister(), claims: cfg.Claims.Lister(), pods: cfg.Pods.Lister(),
		synced: []cache.InformerSynced{cfg.DataVolumes.Informer().HasSynced, cfg.DataSources.Informer().HasSynced,
			cfg.Claims.Informer().HasSynced, cfg.Pods.Informer().HasSynced},
	}
	if cfg.HonorWaitForFirstConsumer {
		if cfg.StorageClasses == nil {
			return nil, fmt.Errorf("datavolume: HonorWaitForFirstConsumer needs a StorageClass informer")
		}
		c.classes = cfg.StorageClasses.Lister()
		c.synced = append(c.synced, cfg.StorageClasses.Informer().HasSynced)
	}
	c.loop = loop.New("virt-controller-datavolume", c.sync, cfg.QueueMetrics)
	if err := cfg.DataVolumes.Informer().AddIndexers(cache.Indexers{bySource: indexBySource}); err != nil {
		return nil, fmt.Errorf("index datavolumes: %w", err)
	}
	if err := c.watch(); err != nil {
		return nil, err
	}
	return c, nil
}

func applyDefaults(cfg *Config) {
	if cfg.Events == nil {
		cfg.Events = &record.FakeRecorder{}
	}
	p := &cfg.Policy
	if p.Pod.Image == "" {
		p.Pod.Image = DefaultImporterImage
	}
	if p.Pod.ProgressPort == 0 {
		p.Pod.ProgressPort = DefaultProgressPort
	}
	if p.Pod.FilesystemOverhead <= 0 || p.Pod.FilesystemOverhead >= 1 {
		p.Pod.FilesystemOverhead = DefaultFilesystemOverhead
	}
	if p.RetryBackoff <= 0 {
		p.RetryBackoff = DefaultRetryBackoff
	}
	if p.ProgressInterval <= 0 {
		p.ProgressInterval = DefaultProgressInterval
	}
	if cfg.Progress == nil {
		cfg.Progress = HTTPProgress(nil, p.Pod.ProgressPort)
	}
}

func indexBySource(obj interface{}) ([]string, error) {
	dv, ok := obj.(*cdiv1beta1.DataVolume)
	if !ok {
		return nil, nil
	}
	var keys []string
	if s := dv.Spec.Source; s != nil && s.PVC != nil {
		keys = append(keys, "pvc/"+orDefault(s.PVC.Namespace, dv.Namespace)+"/"+s.PVC.Name)
	}
	if r := dv.Spec.SourceRef; r != nil {
		keys = append(keys, "ds/"+orDefault(r.Namespace, dv.Namespace)+"/"+r.Name)
	}
	return keys, nil
}

func (c *Controller) watch() error {
	if _, err := c.cfg.DataVolumes.Informer().AddEventHandler(c.loop.Handler()); err != nil {
		return fmt.Errorf("watch datavolumes: %w", err)
	}
	if _, err := c.cfg.Claims.Informer().AddEventHandler(handler(func(obj metav1.Object) {
		c.loop.Add(obj.GetNamespace() + "/" + obj.GetName())
		c.enqueueBy("pvc/" + obj.GetNamespace() + "/" + obj.GetName())
	})); err != nil {
		return fmt.Errorf("watch claims: %w", err)
	}
	if _, err := c.cfg.Pods.Informer().AddEventHandler(handler(func(obj metav1.Object) {
		if ref := metav1.GetControllerOf(obj); ref != nil && ref.Kind == cdiv1beta1.DataVolumeKind {
			c.loop.Add(obj.GetNamespace() + "/" + ref.Name)
		}
	})); err != nil {
		return fmt.Errorf("watch pods: %w", err)
	}
	if _, err := c.cfg.DataSources.Informer().AddEventHandler(handler(func(obj metav1.Object) {
		c.enqueueBy("ds/" + obj.GetNamespace() + "/" + obj.GetName())
	})); err != nil {
		return fmt.Errorf("watch datasources: %w", err)
	}
	return nil
}

func handler(f func(obj metav1.Object)) cache.ResourceEventHandler {
	unwrap := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			f(m)
		}
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: unwrap, UpdateFunc: func(_, o interface{}) { unwrap(o) }, DeleteFunc: unwrap}
}

func (c *Controller) enqueueBy(key string) {
	objs, _ := c.dvIndex.ByIndex(bySource, key)
	for _, obj := range objs {
		c.loop.Enqueue(obj)
	}
}

// Run processes DataVolumes with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) (time.Duration, error) {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	dv, err := c.dvs.DataVolumes(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get datavolume %s: %w", key, err)
	}
	o := c.observe(ctx, dv)
	d := Decide(o, c.cfg.Policy)
	if err := c.apply(ctx, dv, o.Pod, d); err != nil {
		return 0, err
	}
	return d.RequeueAfter, nil
}

// observe reads from the listers what Decide needs, and a running
// importer's progress from the pod.
func (c *Controller) observe(ctx context.Context, dv *cdiv1beta1.DataVolume) Observed {
	o := Observed{DV: dv, Now: time.Now()}
	o.Source, o.SourceProblem = ResolveSource(dv, func(ns, name string) *cdiv1beta1.DataSource {
		ds, err := c.sources.DataSources(ns).Get(name)
		if err != nil {
			return nil
		}
		return ds
	})
	if o.SourceProblem == nil && o.Source.Kind == SourcePVC {
		o.SourceClaim, _ = c.claims.PersistentVolumeClaims(o.Source.ClaimNamespace).Get(o.Source.ClaimName)
	}
	o.Claim, _ = c.claims.PersistentVolumeClaims(dv.Namespace).Get(dv.Name)
	o.Pod, _ = c.pods.Pods(dv.Namespace).Get(PodName(dv, o.Source))
	o.WaitForFirstConsumer = c.waitsForConsumer(dv, o.Claim)
	if o.Pod != nil && o.Pod.DeletionTimestamp == nil && containerRunning(o.Pod) && o.Source.Kind != SourceUpload {
		p, err := c.cfg.Progress(ctx, o.Pod)
		if err != nil {
			klog.FromContext(ctx).V(3).Info("no progress", "datavolume", klog.KObj(dv), "err", err.Error())
		}
		o.Progress = p
	}
	return o
}

// waitsForConsumer: honouring WaitForFirstConsumer, the claim (or the one
// about to be created) is unbound, its class binds on first use and no
// consumer has been scheduled with it.
func (c *Controller) waitsForConsumer(dv *cdiv1beta1.DataVolume, claim *corev1.PersistentVolumeClaim) bool {
	if !c.cfg.HonorWaitForFirstConsumer {
		return false
	}
	var name *string
	switch {
	case claim != nil:
		if claim.Status.Phase == corev1.ClaimBound || claim.Annotations[AnnSelectedNode] != "" {
			return false
		}
		name = claim.Spec.StorageClassName
	case dv.Spec.PVC != nil:
		name = dv.Spec.PVC.StorageClassName
	case dv.Spec.Storage != nil && dv.Spec.Storage.StorageClassName != "":
		name = &dv.Spec.Storage.StorageClassName
	}
	class := c.storageClass(name)
	return class != nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

// storageClass is the named class, or the default one for nil.
func (c *Controller) storageClass(name *string) *storagev1.StorageClass {
	if name != nil {
		class, err := c.classes.Get(*name)
		if err != nil {
			return nil
		}
		return class
	}
	all, err := c.classes.List(labels.Everything())
	if err != nil {
		return nil
	}
	for _, class := range all {
		if class.Annotations[annDefaultClass] == "true" {
			return class
		}
	}
	return nil
}

// apply writes a Decision: the claim, the new pod, the status, then the pod's
// removal (only after the status that justifies it is stored) and the Events.
func (c *Controller) apply(ctx context.Context, dv *cdiv1beta1.DataVolume, pod *corev1.Pod, d Decision) error {
	if d.CreateClaim != nil {
		_, err := c.cfg.Kube.CoreV1().PersistentVolumeClaims(dv.Namespace).Create(ctx, d.CreateClaim, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.cfg.Events.Event(dv, corev1.EventTypeWarning, "ErrClaimCreate", err.Error())
			return fmt.Errorf("create claim of %s/%s: %w", dv.Namespace, dv.Name, err)
		}
	}
	if d.CreatePod != nil {
		if err := c.prepareUpload(ctx, dv, d.CreatePod); err != nil {
			c.cfg.Events.Event(dv, corev1.EventTypeWarning, "ErrPodCreate", err.Error())
			return fmt.Errorf("prepare upload pod of %s/%s: %w", dv.Namespace, dv.Name, err)
		}
		_, err := c.cfg.Kube.CoreV1().Pods(dv.Namespace).Create(ctx, d.CreatePod, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.cfg.Events.Event(dv, corev1.EventTypeWarning, "ErrPodCreate", err.Error())
			return fmt.Errorf("create pod of %s/%s: %w", dv.Namespace, dv.Name, err)
		}
	}
	if gone, err := c.updateStatus(ctx, dv, d.Status); gone || err != nil {
		return err
	}
	if d.DeletePod && pod != nil {
		uid := pod.UID
		err := c.cfg.Kube.CoreV1().Pods(dv.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete pod %s/%s: %w", dv.Namespace, pod.Name, err)
		}
	}
	for _, e := range d.Events {
		c.cfg.Events.Event(dv, e.Type, e.Reason, e.Message)
	}
	return nil
}

// updateStatus writes status when it changed; gone reports a DataVolume
// deleted meanwhile.
func (c *Controller) updateStatus(ctx context.Context, dv *cdiv1beta1.DataVolume, status cdiv1beta1.DataVolumeStatus) (gone bool, err error) {
	if equality.Semantic.DeepEqual(dv.Status, status) {
		return false, nil
	}
	upd := dv.DeepCopy()
	upd.Status = status
	_, err = c.cfg.Kvirt.CdiV1beta1().DataVolumes(dv.Namespace).UpdateStatus(ctx, upd, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("update status of %s/%s: %w", dv.Namespace, dv.Name, err)
	}
	if dv.Status.Phase != status.Phase {
		klog.FromContext(ctx).Info("datavolume phase changed", "datavolume", klog.KObj(dv), "from", dv.Status.Phase, "to", status.Phase)
	}
	return false, nil
}
