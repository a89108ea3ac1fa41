package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// Steps of a VMI's start, in order, as seen by this test's watches (millisecond
// precision, unlike the API's second-granular timestamps).
type step int

const (
	stepCreate       step = iota // the test sends the create
	stepAdmitted                 // the create returned (webhooks included)
	stepPodCreated               // virt-controller created the launcher pod
	stepPodScheduled             // the scheduler bound it
	stepPodRunning               // init containers (disk copies) done, launcher started
	stepVMIScheduled             // virt-controller saw the pod running
	stepVMIRunning               // virt-handler saw the domain running
	numSteps
)

var stepNames = [numSteps]string{"create", "admission", "controller: pod created", "pod scheduled",
	"pod running (disk copy + launcher start)", "VMI Scheduled (controller)", "VMI Running (launcher domain start + handler)"}

type timeline struct {
	mu      sync.Mutex
	seen    map[string]*[numSteps]time.Time
	watches []watch.Interface
}

func newTimeline(t *testing.T, ns string) *timeline {
	t.Helper()
	tl := &timeline{seen: map[string]*[numSteps]time.Time{}}
	vw, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Watch(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pw, err := e.kube.CoreV1().Pods(ns).Watch(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tl.watches = []watch.Interface{vw, pw}
	go tl.follow(vw)
	go tl.follow(pw)
	return tl
}

func (tl *timeline) stop() {
	for _, w := range tl.watches {
		w.Stop()
	}
}

func (tl *timeline) follow(w watch.Interface) {
	for ev := range w.ResultChan() {
		now := time.Now()
		switch o := ev.Object.(type) {
		case *virtv1.VirtualMachineInstance:
			switch o.Status.Phase {
			case virtv1.Scheduled:
				tl.mark(o.Name, stepVMIScheduled, now)
			case virtv1.Running:
				tl.mark(o.Name, stepVMIScheduled, now)
				tl.mark(o.Name, stepVMIRunning, now)
			}
		case *corev1.Pod:
			tl.observePod(o, now)
		}
	}
}

func (tl *timeline) observePod(p *corev1.Pod, now time.Time) {
	name := p.Annotations[virtv1.DomainAnnotation]
	if name == "" {
		return
	}
	tl.mark(name, stepPodCreated, now)
	if p.Spec.NodeName != "" {
		tl.mark(name, stepPodScheduled, now)
	}
	if p.Status.Phase == corev1.PodRunning {
		tl.mark(name, stepPodRunning, now)
	}
}

// mark records the first time a step was seen.
func (tl *timeline) mark(name string, s step, at time.Time) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	steps := tl.seen[name]
	if steps == nil {
		steps = &[numSteps]time.Time{}
		tl.seen[name] = steps
	}
	if steps[s].IsZero() {
		steps[s] = at
	}
}

func (tl *timeline) running(name string) bool {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	s := tl.seen[name]
	return s != nil && !s[stepVMIRunning].IsZero()
}

func (tl *timeline) waitRunning(t *testing.T, name string) {
	t.Helper()
	poll.Eventually(t, 2*startTimeout, name+" Running", func() error {
		if tl.running(name) {
			return nil
		}
		return fmt.Errorf("not Running yet")
	})
}

// summary is a Markdown table: p50/p95 of every step's share and of the total.
func (tl *timeline) summary() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	parts := make([][]time.Duration, numSteps)
	var total []time.Duration
	for _, s := range tl.seen {
		if s[stepCreate].IsZero() || s[stepVMIRunning].IsZero() {
			continue
		}
		total = append(total, s[stepVMIRunning].Sub(s[stepCreate]))
		prev := s[stepCreate]
		for i := stepAdmitted; i < numSteps; i++ {
			if s[i].IsZero() {
				continue
			}
			parts[i] = append(parts[i], s[i].Sub(prev))
			prev = s[i]
		}
	}
	var b strings.Builder
	b.WriteString("| step | p50 | p95 |\n|---|---|---|\n")
	for i := stepAdmitted; i < numSteps; i++ {
		sorted := sortedDurations(parts[i])
		fmt.Fprintf(&b, "| %s | %s | %s |\n", stepNames[i], round(percentile(sorted, 0.5)), round(percentile(sorted, 0.95)))
	}
	sorted := sortedDurations(total)
	fmt.Fprintf(&b, "| **creation → Running** (%d VMIs) | **%s** | **%s** |\n", len(total),
		round(percentile(sorted, 0.5)), round(percentile(sorted, 0.95)))
	return b.String()
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
