package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

const perfCount = 10

// TestCreationFigures reports creation -> Running latency of 10 sequential and 10
// parallel VMIs with its split, the API writes per VMI and the RSS of every
// component and launcher. It runs only with KVIRT_PERF=1 (make perf-local) and
// asserts nothing about timings.
func TestCreationFigures(t *testing.T) {
	if os.Getenv("KVIRT_PERF") == "" {
		t.Skip("figures run with KVIRT_PERF=1 (make perf-local)")
	}
	var report strings.Builder
	fmt.Fprintf(&report, "# kvirt on the local cluster: figures (%s)\n\n", time.Now().UTC().Format(time.RFC3339))
	for _, parallel := range []bool{false, true} {
		waitQuiet(t)
		ns := newNamespace(t)
		tl := newTimeline(t, ns)
		before := apiWrites(t)
		runBatch(t, ns, tl, parallel)
		writes := apiWrites(t).minus(before)
		mode := map[bool]string{false: "sequential", true: "parallel"}[parallel]
		fmt.Fprintf(&report, "## %d %s VMIs\n\n%s\n%s\n", perfCount, mode, tl.summary(), writes.perVMI(perfCount))
		if parallel {
			fmt.Fprintf(&report, "%s\n", rssReport(t))
		}
		tl.stop()
		deleteVMIs(t, ns)
	}
	t.Log("\n" + report.String())
	dir := filepath.Join(e.root, "_out/perf")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "report.md"), []byte(report.String()), 0o644)
		t.Logf("report written to %s", filepath.Join(dir, "report.md"))
	}
}

// perfVMIYAML is a minimal VMI of the test guest: containerDisk, masquerade. It
// requests 50m CPU (the default is 100m) so ten fit on a 2-core node beside kvirt
// and whatever VMs already run there.
const perfVMIYAML = `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
spec:
  terminationGracePeriodSeconds: 0
  domain:
    resources:
      requests:
        cpu: 50m
        memory: 64Mi
    devices:
      disks:
      - name: containerdisk
        disk:
          bus: virtio
      interfaces:
      - name: default
        masquerade: {}
  networks:
  - name: default
    pod: {}
  volumes:
  - name: containerdisk
    containerDisk:
      image: IMAGE
`

func perfVMI(t *testing.T, ns string, i int) *virtv1.VirtualMachineInstance {
	t.Helper()
	vmi := &virtv1.VirtualMachineInstance{}
	if err := yaml.UnmarshalStrict([]byte(strings.Replace(perfVMIYAML, "IMAGE", e.guestDisk, 1)), vmi); err != nil {
		t.Fatal(err)
	}
	vmi.Namespace, vmi.Name = ns, fmt.Sprintf("perf-%02d", i)
	return vmi
}

func runBatch(t *testing.T, ns string, tl *timeline, parallel bool) {
	t.Helper()
	create := func(i int) {
		vmi := perfVMI(t, ns, i)
		start := time.Now()
		tl.mark(vmi.Name, stepCreate, start)
		if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx(t), vmi, metav1.CreateOptions{}); err != nil {
			t.Errorf("create %s: %v", vmi.Name, err)
			return
		}
		tl.mark(vmi.Name, stepAdmitted, time.Now())
	}
	if !parallel {
		for i := range perfCount {
			create(i)
			tl.waitRunning(t, fmt.Sprintf("perf-%02d", i))
		}
		return
	}
	var wg sync.WaitGroup
	for i := range perfCount {
		wg.Go(func() { create(i) })
	}
	wg.Wait()
	for i := range perfCount {
		tl.waitRunning(t, fmt.Sprintf("perf-%02d", i))
	}
}

// waitQuiet waits until no other test namespace is still being deleted, so its
// clean-up writes do not count towards the batch.
func waitQuiet(t *testing.T) {
	t.Helper()
	poll.Eventually(t, 5*time.Minute, "earlier test namespaces deleted", func() error {
		l, err := e.kube.CoreV1().Namespaces().List(ctx(t), metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, ns := range l.Items {
			if strings.HasPrefix(ns.Name, "e2e-") && ns.DeletionTimestamp != nil {
				return fmt.Errorf("namespace %s is terminating", ns.Name)
			}
		}
		return nil
	})
}

func deleteVMIs(t *testing.T, ns string) {
	t.Helper()
	vmis := e.kvirt.KubevirtV1().VirtualMachineInstances(ns)
	if err := vmis.DeleteCollection(ctx(t), metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatalf("delete VMIs: %v", err)
	}
	poll.Eventually(t, 3*time.Minute, "perf VMIs gone", func() error {
		l, err := vmis.List(ctx(t), metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(l.Items) > 0 {
			return fmt.Errorf("%d left", len(l.Items))
		}
		return nil
	})
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func sortedDurations(in []time.Duration) []time.Duration {
	out := append([]time.Duration(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
