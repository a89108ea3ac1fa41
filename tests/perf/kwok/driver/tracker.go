package driver

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
)

// tracker watches the run's VMIs and the namespace's pods through informers and
// keeps the counts the wait and the sampler read.
type tracker struct {
	vmis, pods cache.SharedIndexInformer
	// informers ends when both informers have returned.
	informers sync.WaitGroup

	mu      sync.Mutex
	phases  map[string]virtv1.VirtualMachineInstancePhase
	running int
	// observed is creation→Running as the watch saw it: the time the first
	// Running event arrived minus the creationTimestamp, per VMI.
	observed map[string]float64
	changed  chan struct{}
}

func newTracker(kube kubernetes.Interface, kvirt kvirtclient.Interface, ns string) *tracker {
	selector := kvirtinformers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = RunLabel + "=true" })
	vf := kvirtinformers.NewSharedInformerFactoryWithOptions(kvirt, 0, kvirtinformers.WithNamespace(ns), selector)
	pf := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace(ns))
	t := &tracker{
		vmis:     vf.Kubevirt().V1().VirtualMachineInstances().Informer(),
		pods:     pf.Core().V1().Pods().Informer(),
		phases:   map[string]virtv1.VirtualMachineInstancePhase{},
		observed: map[string]float64{},
		changed:  make(chan struct{}, 1),
	}
	_, _ = t.vmis.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.observe(obj, false) },
		UpdateFunc: func(_, obj any) { t.observe(obj, false) },
		DeleteFunc: func(obj any) { t.observe(obj, true) },
	})
	return t
}

// start runs the informers until ctx ends and waits for their first list; wait
// returns once they have stopped.
func (t *tracker) start(ctx context.Context) error {
	t.informers.Go(func() { t.vmis.RunWithContext(ctx) })
	t.informers.Go(func() { t.pods.RunWithContext(ctx) })
	if !cache.WaitForCacheSync(ctx.Done(), t.vmis.HasSynced, t.pods.HasSynced) {
		return fmt.Errorf("vmi and pod informers did not sync: %w", ctx.Err())
	}
	return nil
}

// wait blocks until the informers started by start have returned.
func (t *tracker) wait() { t.informers.Wait() }

func (t *tracker) observe(obj any, deleted bool) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj, deleted = tomb.Obj, true
	}
	vmi, ok := obj.(*virtv1.VirtualMachineInstance)
	if !ok {
		return
	}
	t.mu.Lock()
	if t.phases[vmi.Name] == virtv1.Running {
		t.running--
	}
	if deleted {
		delete(t.phases, vmi.Name)
	} else {
		t.phases[vmi.Name] = vmi.Status.Phase
		if vmi.Status.Phase == virtv1.Running {
			t.running++
			if _, seen := t.observed[vmi.Name]; !seen {
				t.observed[vmi.Name] = max(time.Since(vmi.CreationTimestamp.Time).Seconds(), 0)
			}
		}
	}
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// counts returns the VMIs Running, the VMIs existing and the namespace's pods.
func (t *tracker) counts() (running, vmis, pods int) {
	t.mu.Lock()
	running, vmis = t.running, len(t.phases)
	t.mu.Unlock()
	return running, vmis, len(t.pods.GetStore().ListKeys())
}

// stuck returns the VMIs per phase ("" shows as "Pending") and the sorted names
// of up to limit VMIs not Running.
func (t *tracker) stuck(limit int) (map[string]int, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	phases := map[string]int{}
	var names []string
	for name, p := range t.phases {
		if p == "" {
			p = virtv1.Pending
		}
		phases[string(p)]++
		if p != virtv1.Running {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return phases, names[:min(len(names), limit)]
}

// waitFor blocks until cond holds on the counts, ctx ends or deadline passes,
// and returns whether cond held and when it was first seen to.
func (t *tracker) waitFor(ctx context.Context, deadline time.Time, cond func(running, vmis, pods int) bool) (bool, time.Time) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	// Pods have no handler: recheck every second besides on VMI events.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if cond(t.counts()) {
			return true, time.Now()
		}
		select {
		case <-ctx.Done():
			return false, time.Now()
		case <-timer.C:
			return cond(t.counts()), time.Now()
		case <-t.changed:
		case <-tick.C:
		}
	}
}

// observedLatencies returns the watch-observed creation→Running seconds.
func (t *tracker) observedLatencies() []float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]float64, 0, len(t.observed))
	for _, v := range t.observed {
		out = append(out, v)
	}
	return out
}

// vmiList returns the VMIs in the informer's store.
func (t *tracker) vmiList() []*virtv1.VirtualMachineInstance {
	var out []*virtv1.VirtualMachineInstance
	for _, obj := range t.vmis.GetStore().List() {
		if vmi, ok := obj.(*virtv1.VirtualMachineInstance); ok {
			out = append(out, vmi)
		}
	}
	return out
}
