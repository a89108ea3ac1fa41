package virtcontroller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
)

const densityVMIs = 100

// TestDensityReport creates 100 VMIs against a virt-controller process, marks each
// launcher pod running as soon as it appears (as scheduler and kubelet would) and
// reports creation→Scheduled latency, the controller's API writes per VMI by verb
// and resource (from its own request metrics) and its RSS. It asserts behaviour
// only; the figures are printed (and written to _out/density-report.txt).
func TestDensityReport(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	proc := startProcess(t, "--leader-elect=false")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	scheduled := watchScheduled(ctx, t, c, ns)
	runPods(ctx, t, c, ns)
	before, err := proc.scrape("/metrics")
	if err != nil {
		t.Fatal(err)
	}

	created := map[string]time.Time{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range densityVMIs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := fmt.Sprintf("density-%03d", i)
			start := time.Now()
			if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, testVMI(ns, name), metav1.CreateOptions{}); err != nil {
				t.Errorf("create %s: %v", name, err)
				return
			}
			mu.Lock()
			created[name] = start
			mu.Unlock()
		}()
	}
	wg.Wait()

	var latencies []time.Duration
	eventually(t, 3*time.Minute, "all VMIs Scheduled", func() error {
		latencies = latencies[:0]
		mu.Lock()
		defer mu.Unlock()
		for name, start := range created {
			at, ok := scheduled.at(name)
			if !ok {
				continue
			}
			latencies = append(latencies, at.Sub(start))
		}
		if len(latencies) < densityVMIs {
			return fmt.Errorf("%d of %d Scheduled", len(latencies), densityVMIs)
		}
		return nil
	})
	// count once the controller's writes have settled (two equal scrapes in a row)
	var after string
	eventually(t, 30*time.Second, "controller writes settle", func() error {
		prev := after
		var err error
		if after, err = proc.scrape("/metrics"); err != nil {
			return err
		}
		if prev == "" || fmt.Sprint(writesPerVMI(prev, after)) != "map[]" {
			return fmt.Errorf("still writing")
		}
		return nil
	})
	rss, peak := proc.rssKiB()
	report := densityReport(latencies, writesPerVMI(before, after), rss, peak)
	t.Log("\n" + report)
	_, self, _, _ := runtime.Caller(0)
	out := filepath.Join(filepath.Dir(self), "..", "..", "..", "_out", "density-report.txt")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err == nil {
		_ = os.WriteFile(out, []byte(report), 0o644)
	}
}

// scheduledTimes records when each VMI was first seen Scheduled.
type scheduledTimes struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (s *scheduledTimes) at(name string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[name]
	return t, ok
}

func watchScheduled(ctx context.Context, t *testing.T, c clients, ns string) *scheduledTimes {
	t.Helper()
	s := &scheduledTimes{m: map[string]time.Time{}}
	factory := kvirtinformers.NewSharedInformerFactoryWithOptions(c.kvirt, 0, kvirtinformers.WithNamespace(ns))
	inf := factory.Kubevirt().V1().VirtualMachineInstances().Informer()
	record := func(obj interface{}) {
		vmi, ok := obj.(*virtv1.VirtualMachineInstance)
		if !ok || vmi.Status.Phase != virtv1.Scheduled {
			return
		}
		s.mu.Lock()
		if _, seen := s.m[vmi.Name]; !seen {
			s.m[vmi.Name] = time.Now()
		}
		s.mu.Unlock()
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: record, UpdateFunc: func(_, o interface{}) { record(o) }}); err != nil {
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	t.Cleanup(factory.Shutdown)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("vmi informer did not sync")
	}
	return s
}

// runPods binds every new launcher pod in ns to a node and reports it running
// and ready, with ten workers, until ctx ends.
func runPods(ctx context.Context, t *testing.T, c clients, ns string) {
	t.Helper()
	factory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0, informers.WithNamespace(ns))
	inf := factory.Core().V1().Pods().Informer()
	queue := make(chan *corev1.Pod, densityVMIs*2)
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: func(obj interface{}) {
		if pod, ok := obj.(*corev1.Pod); ok && pod.Spec.NodeName == "" {
			queue <- pod
		}
	}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case pod := <-queue:
					runPod(ctx, c, pod, fmt.Sprintf("node%02d", w))
				}
			}
		}()
	}
	factory.Start(ctx.Done())
	t.Cleanup(func() { factory.Shutdown(); wg.Wait() })
}

func runPod(ctx context.Context, c clients, pod *corev1.Pod, node string) {
	pods := c.kube.CoreV1().Pods(pod.Namespace)
	if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: pod.Name}, Target: corev1.ObjectReference{Kind: "Node", Name: node}}, metav1.CreateOptions{}); err != nil {
		return
	}
	for range 5 {
		p, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return
		}
		now := metav1.Now()
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now}}
		if _, err := pods.UpdateStatus(ctx, p, metav1.UpdateOptions{}); err == nil {
			return
		}
	}
}

// writesPerVMI is the controller's write requests between two scrapes, by
// "verb resource", divided by the number of VMIs.
func writesPerVMI(before, after string) map[string]float64 {
	count := func(text string) map[string]float64 {
		m := map[string]float64{}
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, "kubevirt_rest_client_requests_total{") {
				continue
			}
			verb, resource := label(line, "verb"), label(line, "resource")
			switch verb {
			case "create", "update", "patch", "delete":
			default:
				continue
			}
			fields := strings.Fields(line)
			v, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
			m[verb+" "+resource] += v
		}
		return m
	}
	b, a := count(before), count(after)
	out := map[string]float64{}
	for k, v := range a {
		if d := v - b[k]; d > 0 {
			out[k] = d / densityVMIs
		}
	}
	return out
}

func label(line, name string) string {
	i := strings.Index(line, name+`="`)
	if i < 0 {
		return ""
	}
	rest := line[i+len(name)+2:]
	return rest[:strings.Index(rest, `"`)]
}

func densityReport(lat []time.Duration, writes map[string]float64, rssKiB, peakKiB int64) string {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	var b strings.Builder
	fmt.Fprintf(&b, "kvirt virt-controller density report: %d VMIs, pods marked running by the test\n", len(lat))
	fmt.Fprintf(&b, "creation -> Scheduled: p50 %s  p95 %s  max %s\n", pct(0.5).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	fmt.Fprintf(&b, "API writes per VMI (controller's kubevirt_rest_client_requests_total):\n")
	var keys []string
	var total float64
	for k := range writes {
		keys = append(keys, k)
		total += writes[k]
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-40s %.2f\n", k, writes[k])
	}
	fmt.Fprintf(&b, "  %-40s %.2f\n", "total", total)
	fmt.Fprintf(&b, "controller RSS: %.1f MiB (peak %.1f MiB)\n", float64(rssKiB)/1024, float64(peakKiB)/1024)
	fmt.Fprintf(&b, "upstream, same density test: ~2.2 pod PATCHes + ~5.5 VMI UPDATEs per VMI, ~65 MB RSS\n")
	return b.String()
}
