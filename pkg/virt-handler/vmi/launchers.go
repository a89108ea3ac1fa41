package vmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Names inside a launcher pod the handler relies on (rendered by
// virt-controller's launcherpod package, which the handler does not import).
const (
	launcherApp       = "virt-launcher"
	computeContainer  = "compute"
	commandSocketName = "launcher.sock"
)

// PodDialer reaches a socket in a launcher pod: podsocket.Dialer, or a fake in
// tests.
type PodDialer interface {
	Dial(ctx context.Context, t podsocket.Target) (net.Conn, podsocket.Peer, error)
}

// launcher is a connection to a VMI's launcher and the stream of its events.
type launcher struct {
	*launcherclient.Client
	podUID types.UID
	cancel context.CancelFunc
}

// launcherPods watches the launcher pods of this node: where each VMI's
// launcher is, and which uid it runs as.
type launcherPods struct {
	inf    kubeinformers.SharedInformerFactory
	lister corelisters.PodLister
	synced cache.InformerSynced
}

func newLauncherPods(kube kubernetes.Interface, node string, resync time.Duration, enqueue func(string)) launcherPods {
	inf := kubeinformers.NewSharedInformerFactoryWithOptions(kube, resync,
		kubeinformers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = "spec.nodeName=" + node
			o.LabelSelector = virtv1.AppLabel + "=" + launcherApp
		}))
	pods := inf.Core().V1().Pods()
	onPod := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			return
		}
		if ref := metav1.GetControllerOf(pod); ref != nil && ref.Kind == "VirtualMachineInstance" {
			enqueue(pod.Namespace + "/" + ref.Name)
		}
	}
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: onPod, UpdateFunc: func(_, o any) { onPod(o) }, DeleteFunc: onPod,
	})
	return launcherPods{inf: inf, lister: pods.Lister(), synced: pods.Informer().HasSynced}
}

// errNoPod: the VMI has no live launcher pod on this node (yet).
var errNoPod = errors.New("no launcher pod on this node")

// target is where the VMI's launcher listens: the command socket in the pod
// the VMI controls, in the VMI's namespace.
func (p launcherPods) target(namespace string, vmiUID types.UID) (podsocket.Target, error) {
	pod, err := p.live(namespace, vmiUID)
	if err != nil {
		return podsocket.Target{}, err
	}
	uid, ok := runAsUser(pod)
	if !ok {
		return podsocket.Target{}, fmt.Errorf("launcher pod %s/%s sets no runAsUser: %w", pod.Namespace,
			pod.Name, podsocket.ErrRefused)
	}
	return podsocket.Target{PodUID: pod.UID, Socket: commandSocketName, RunAsUser: uid}, nil
}

// live is the VMI's launcher pod on this node: the newest one the VMI
// controls that has not finished. A node runs one pod of a VMI at a time
// (a migration target is kept off its source node), so on a migration's
// target this is the target pod, before and after it takes the VMI over.
func (p launcherPods) live(namespace string, vmiUID types.UID) (*corev1.Pod, error) {
	pods, err := p.lister.Pods(namespace).List(labels.SelectorFromSet(labels.Set{virtv1.CreatedByLabel: string(vmiUID)}))
	if err != nil {
		return nil, fmt.Errorf("list launcher pods: %w", err)
	}
	var newest *corev1.Pod
	for _, pod := range pods {
		ref := metav1.GetControllerOf(pod)
		if ref == nil || ref.UID != vmiUID ||
			pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		if newest == nil || newest.CreationTimestamp.Before(&pod.CreationTimestamp) {
			newest = pod
		}
	}
	if newest == nil {
		return nil, errNoPod
	}
	return newest, nil
}

// networkStatus is what Multus reported on the VMI's launcher pod (its
// network-status annotation), nil when there is no such pod or report.
func (p launcherPods) networkStatus(namespace string, vmiUID types.UID) map[string]multus.NetworkStatus {
	pod, err := p.live(namespace, vmiUID)
	if err != nil {
		return nil
	}
	return multus.ParseNetworkStatus(pod.Annotations)
}

// runAsUser is the compute container's uid: its own securityContext, else
// the pod's.
func runAsUser(pod *corev1.Pod) (uint32, bool) {
	for _, c := range pod.Spec.Containers {
		if c.Name == computeContainer && c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
			return uint32(*c.SecurityContext.RunAsUser), *c.SecurityContext.RunAsUser >= 0
		}
	}
	if sc := pod.Spec.SecurityContext; sc != nil && sc.RunAsUser != nil {
		return uint32(*sc.RunAsUser), *sc.RunAsUser >= 0
	}
	return 0, false
}

// launcher returns a cached, checked connection to the VMI's launcher: found
// from the VMI's pod, reached through the pod's socket volume and refused
// unless the peer is that pod's process and names this VMI. The first
// connection starts the launcher's event stream.
func (c *Controller) launcher(ctx context.Context, namespace string, uid types.UID) (*launcherclient.Client, error) {
	target, err := c.pods.target(namespace, uid)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	l, ok := c.clients[string(uid)]
	c.mu.Unlock()
	if ok && l.podUID == target.PodUID {
		return l.Client, nil
	}
	if ok {
		c.dropClient(string(uid))
	}
	dial := func(ctx context.Context) (net.Conn, podsocket.Peer, error) { return c.cfg.Dialer.Dial(ctx, target) }
	cl, err := launcherclient.Dial(ctx, dial, string(uid))
	if errors.Is(err, podsocket.ErrRefused) {
		klog.FromContext(ctx).Info("launcher refused", "vmi", uid, "pod", target.PodUID, "err", err.Error())
	}
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(c.base)
	l = &launcher{Client: cl, podUID: target.PodUID, cancel: cancel}
	c.mu.Lock()
	if old, ok := c.clients[string(uid)]; ok {
		old.close()
	}
	c.clients[string(uid)] = l
	c.mu.Unlock()
	c.watchLauncher(ctx, string(uid), cl)
	c.watches.Add(1)
	go func() {
		defer c.watches.Done()
		c.watch(klog.NewContext(wctx, klog.FromContext(ctx)), namespace, uid, cl)
	}()
	klog.FromContext(ctx).V(2).Info("connected to launcher", "vmi", uid, "pod", target.PodUID, "protocol", cl.Version,
		"launcherPid", cl.Pid, "peerPid", cl.Peer.PID)
	return cl, nil
}

func (l *launcher) close() {
	l.cancel()
	_ = l.Close()
}

// watch consumes the launcher's WatchDomain stream: each report is the VMI's
// (the handler dialled that VMI's pod) and is remembered, then the VMI is
// synced. The final report ends the stream from this side, which tells the
// launcher it may exit; any other end is a closed connection (evidence for
// LauncherVerdict, never alone a verdict) and makes the sync look at the
// launcher.
func (c *Controller) watch(ctx context.Context, namespace string, uid types.UID, cl *launcherclient.Client) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := cl.WatchDomain(ctx, &launcherv1.WatchDomainRequest{})
	if err != nil {
		return
	}
	for {
		ev, err := stream.Recv()
		if err != nil {
			if ctx.Err() == nil {
				klog.FromContext(ctx).V(2).Info("launcher event stream ended", "vmi", uid, "err", err.Error())
				// a launcher without the stream (a test fake) has not closed
				if status.Code(err) != codes.Unimplemented {
					c.markLauncher(string(uid), cl, false)
				}
				c.requeueUID(namespace, uid)
			}
			return
		}
		d := ev.GetDomain()
		if d == nil {
			continue
		}
		c.onDomain(namespace, uid, d)
		if domainFinished(d) {
			return
		}
	}
}

// onDomain remembers a launcher's report and syncs its VMI now. The report may
// come before the VMI's first sync stored its record (a launcher whose domain
// failed at once reports and exits during that sync): it then starts the
// record, so the sync that finds the launcher gone still sees why.
func (c *Controller) onDomain(namespace string, uid types.UID, d *launcherv1.Domain) {
	_ = c.cfg.Store.Update(string(uid), func(rec *statestore.Record, found bool) {
		if !found {
			rec.UID, rec.Namespace, rec.Name = string(uid), namespace, c.nameOf(namespace, uid)
		}
		rec.SetDomain(d)
	})
	c.mu.Lock()
	c.liveness(string(uid)).lastReport = d
	c.mu.Unlock()
	c.requeueUID(namespace, uid)
}

// nameOf is the name of the VMI with this UID in the informer ("" if none).
func (c *Controller) nameOf(namespace string, uid types.UID) string {
	vmis, err := c.lister.VirtualMachineInstances(namespace).List(labels.Everything())
	if err != nil {
		return ""
	}
	for _, v := range vmis {
		if v.UID == uid {
			return v.Name
		}
	}
	return ""
}

// requeueUID syncs the VMI with this UID, whose name the store or the
// informer knows.
func (c *Controller) requeueUID(namespace string, uid types.UID) {
	if rec, found, err := c.cfg.Store.Get(string(uid)); err == nil && found && rec.Name != "" {
		c.queue.Add(rec.Namespace + "/" + rec.Name)
		return
	}
	vmis, err := c.lister.VirtualMachineInstances(namespace).List(labels.Everything())
	if err != nil {
		return
	}
	for _, v := range vmis {
		if v.UID == uid {
			c.queue.Add(v.Namespace + "/" + v.Name)
		}
	}
}

// domainFinished: the domain ran (or failed to) and is now off for good.
func domainFinished(d *launcherv1.Domain) bool {
	return d.Failure != "" || (d.StartedUnixNano != 0 && d.State == "Shutoff")
}

func (c *Controller) dropClient(uid string) {
	c.stopWatching(uid)
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.clients[uid]; ok {
		l.close()
		delete(c.clients, uid)
	}
}

func (c *Controller) closeClients() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for uid, l := range c.clients {
		l.close()
		delete(c.clients, uid)
	}
	for _, l := range c.live {
		if l.stopWatch != nil {
			l.stopWatch()
		}
	}
}
