package node

import (
	"context"
	"encoding/json"
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
	virtinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/loop"
)

// vmisByNode indexes VMIs by status.nodeName.
const vmisByNode = "nodeName"

// Config wires the controller.
type Config struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
	Nodes coreinformers.NodeInformer
	VMIs  virtinformers.VirtualMachineInstanceInformer
	// HeartbeatTimeout is how old virt-handler's heartbeat may get before its
	// node counts as unresponsive; zero means DefaultHeartbeatTimeout.
	HeartbeatTimeout time.Duration
	QueueMetrics     workqueue.MetricsProvider
	// Events records why a VMI was failed; nil records none.
	Events record.EventRecorder
}

// Controller is the node-failure controller, keyed by node name.
type Controller struct {
	cfg      Config
	nodes    corelisters.NodeLister
	vmiIndex cache.Indexer
	loop     *loop.Loop
	synced   []cache.InformerSynced
}

// New registers the event handlers; call before starting the informers.
func New(cfg Config) (*Controller, error) {
	if cfg.HeartbeatTimeout <= 0 {
		cfg.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	if cfg.Events == nil {
		cfg.Events = &record.FakeRecorder{}
	}
	c := &Controller{
		cfg: cfg, nodes: cfg.Nodes.Lister(), vmiIndex: cfg.VMIs.Informer().GetIndexer(),
		synced: []cache.InformerSynced{cfg.Nodes.Informer().HasSynced, cfg.VMIs.Informer().HasSynced},
	}
	c.loop = loop.New("virt-controller-node", c.sync, cfg.QueueMetrics)
	if err := cfg.VMIs.Informer().AddIndexers(cache.Indexers{vmisByNode: indexByNode}); err != nil {
		return nil, fmt.Errorf("add vmi node index: %w", err)
	}
	nodeHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueNode,
		UpdateFunc: func(_, obj interface{}) { c.enqueueNode(obj) },
		DeleteFunc: c.enqueueNode,
	}
	if _, err := cfg.Nodes.Informer().AddEventHandler(nodeHandler); err != nil {
		return nil, fmt.Errorf("watch nodes: %w", err)
	}
	// A VMI reaching a node that is already unresponsive is failed too.
	vmiHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueVMINode,
		UpdateFunc: func(_, obj interface{}) { c.enqueueVMINode(obj) },
	}
	if _, err := cfg.VMIs.Informer().AddEventHandler(vmiHandler); err != nil {
		return nil, fmt.Errorf("watch vmis: %w", err)
	}
	return c, nil
}

// Run processes nodes with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	return c.loop.RunSynced(ctx, workers, c.synced...)
}

func indexByNode(obj interface{}) ([]string, error) {
	vmi, ok := obj.(*virtv1.VirtualMachineInstance)
	if !ok || vmi.Status.NodeName == "" {
		return nil, nil
	}
	return []string{vmi.Status.NodeName}, nil
}

func (c *Controller) enqueueNode(obj interface{}) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if node, ok := obj.(*corev1.Node); ok {
		c.loop.Add(node.Name)
	}
}

func (c *Controller) enqueueVMINode(obj interface{}) {
	if vmi, ok := obj.(*virtv1.VirtualMachineInstance); ok && handedOver(vmi.Status.Phase) && vmi.Status.NodeName != "" {
		c.loop.Add(vmi.Status.NodeName)
	}
}

func (c *Controller) sync(ctx context.Context, name string) (time.Duration, error) {
	node, err := c.nodes.Get(name)
	if apierrors.IsNotFound(err) {
		node = nil
	} else if err != nil {
		return 0, fmt.Errorf("get node %s: %w", name, err)
	}
	objs, err := c.vmiIndex.ByIndex(vmisByNode, name)
	if err != nil {
		return 0, fmt.Errorf("list vmis of node %s: %w", name, err)
	}
	vmis := make([]*virtv1.VirtualMachineInstance, 0, len(objs))
	for _, obj := range objs {
		if vmi, ok := obj.(*virtv1.VirtualMachineInstance); ok {
			vmis = append(vmis, vmi)
		}
	}
	d := Decide(name, node, vmis, time.Now(), c.cfg.HeartbeatTimeout)
	if d.Unschedulable {
		if err := c.markUnschedulable(ctx, name); err != nil {
			return 0, err
		}
	}
	for _, vmi := range d.Fail {
		if err := c.failVMI(ctx, vmi); err != nil {
			return 0, err
		}
	}
	return d.RetryAfter, nil
}

func (c *Controller) markUnschedulable(ctx context.Context, name string) error {
	patch := []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:"false"}}}`, virtv1.NodeSchedulable))
	_, err := c.cfg.Kube.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("label node %s unschedulable: %w", name, err)
	}
	klog.FromContext(ctx).Info("virt-handler heartbeat stale: node unschedulable", "node", name)
	return nil
}

// failVMI moves vmi to Failed (NodeUnresponsive). The patch carries the VMI's
// resourceVersion, so a handler that came back and wrote meanwhile wins and the
// node is decided again from the newer state.
func (c *Controller) failVMI(ctx context.Context, vmi *virtv1.VirtualMachineInstance) error {
	patch, err := FailPatch(vmi, metav1.Now())
	if err != nil {
		return err
	}
	_, err = c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(ctx, vmi.Name,
		types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fail vmi %s/%s: %w", vmi.Namespace, vmi.Name, err)
	}
	c.cfg.Events.Eventf(vmi, corev1.EventTypeWarning, virtv1.NodeUnresponsiveReason,
		"virt-handler on node %s stopped reporting and the node is not ready: the VMI failed", vmi.Status.NodeName)
	klog.FromContext(ctx).Info("vmi failed: node unresponsive", "vmi", klog.KObj(vmi), "node", vmi.Status.NodeName)
	return nil
}

// FailPatch is the merge patch failing vmi at now: phase Failed, reason
// NodeUnresponsive and the transition timestamp, guarded by resourceVersion.
func FailPatch(vmi *virtv1.VirtualMachineInstance, now metav1.Time) ([]byte, error) {
	stamps := append(append([]virtv1.VirtualMachineInstancePhaseTransitionTimestamp{},
		vmi.Status.PhaseTransitionTimestamps...),
		virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Failed, PhaseTransitionTimestamp: &now})
	raw, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": vmi.ResourceVersion},
		"status": map[string]any{
			"phase": virtv1.Failed, "reason": virtv1.NodeUnresponsiveReason, "phaseTransitionTimestamps": stamps,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("marshal vmi patch: %w", err)
	}
	return raw, nil
}
