package kwokperf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/perf/kwok/driver"
	"kvirt.io/kvirt/tests/perf/kwok/report"
)

const vmis = 20

func config(t *testing.T, ns string, timeout time.Duration) driver.Config {
	t.Helper()
	rc := cp.RESTConfig()
	rc.QPS, rc.Burst = 200, 400
	kube := kubernetes.NewForConfigOrDie(rc)
	t.Cleanup(func() {
		_ = kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return driver.Config{
		Kube: kube, Kvirt: kvirtclient.NewForConfigOrDie(rc), APIServer: kube.CoreV1().RESTClient(),
		Namespace: ns, VMIs: vmis, Workers: 4, Kind: driver.KindVMI, Image: "kvirt.local/test-guest-containerdisk:devel",
		NodeSelector: map[string]string{"type": "kwok"}, Timeout: timeout, SampleEvery: time.Second,
	}
}

// stage plays KWOK's VMI Stage until ctx ends: every VMI of ns not Running and
// not in skip is patched to Running with Scheduled and Running phase-transition
// timestamps, the way the Stage writes them.
func stage(ctx context.Context, t *testing.T, c kvirtclient.Interface, ns string, skip ...string) {
	for ctx.Err() == nil {
		list, err := c.KubevirtV1().VirtualMachineInstances(ns).List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, vmi := range list.Items {
				if vmi.Status.Phase == virtv1.Running || vmi.DeletionTimestamp != nil || slices.Contains(skip, vmi.Name) {
					continue
				}
				now := time.Now().UTC().Format(time.RFC3339)
				patch := fmt.Sprintf(`{"status":{"phase":"Running","nodeName":"kwok-node-0","phaseTransitionTimestamps":[`+
					`{"phase":"Scheduled","phaseTransitionTimestamp":%q},{"phase":"Running","phaseTransitionTimestamp":%q}]}}`, now, now)
				_, err := c.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx, vmi.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
				if err != nil && ctx.Err() == nil {
					t.Logf("stage: patch %s: %v", vmi.Name, err)
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func runWithStage(t *testing.T, cfg driver.Config, skip ...string) (*report.Report, error) {
	t.Helper()
	ctx := klog.NewContext(t.Context(), ktesting.NewLogger(t, ktesting.NewConfig()))
	stageCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); stage(stageCtx, t, cfg.Kvirt, cfg.Namespace, skip...) }()
	defer func() { stop(); <-done }()
	return driver.Run(ctx, cfg)
}

// TestDriverAllRunning: 20 VMIs created, brought to Running by the stage, counted
// and deleted; the report's summary line and request counts say so.
func TestDriverAllRunning(t *testing.T) {
	cfg := config(t, "kwok-perf-all-"+rand.String(5), 3*time.Minute)
	rep, err := runWithStage(t, cfg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !regexp.MustCompile(`^all 20 Running after [0-9]+\.[0-9] s$`).MatchString(rep.Summary()) {
		t.Errorf("summary = %q", rep.Summary())
	}
	if rep.Running != vmis || rep.TimedOut || rep.DeleteTimedOut {
		t.Errorf("running %d, timed out %v, delete timed out %v", rep.Running, rep.TimedOut, rep.DeleteTimedOut)
	}
	if rep.CreationToRunning.Count != vmis || rep.ObservedCreationToRunning.Count != vmis {
		t.Errorf("creation→Running counted %d VMIs (watch: %d), want %d", rep.CreationToRunning.Count, rep.ObservedCreationToRunning.Count, vmis)
	}
	// The apiserver counts a request after answering it, so the last few may be
	// missing from the end reading: only their presence is checked.
	if got := requests(rep, "POST", "virtualmachineinstances"); got == 0 {
		t.Errorf("apiserver counted no VMI creates: %+v", rep.APIServerRequests)
	}
	if got := requests(rep, "PATCH", "virtualmachineinstances"); got == 0 {
		t.Errorf("apiserver counted no VMI patches: %+v", rep.APIServerRequests)
	}
	if len(rep.Samples) == 0 || rep.Samples[len(rep.Samples)-1].VMIs != 0 {
		t.Errorf("samples end with VMIs left: %+v", rep.Samples)
	}
	left, err := cfg.Kvirt.KubevirtV1().VirtualMachineInstances(cfg.Namespace).List(t.Context(), metav1.ListOptions{})
	if err != nil || len(left.Items) != 0 {
		t.Errorf("after the run: %v VMIs left (%v)", len(left.Items), err)
	}
	dir := t.TempDir()
	if d := os.Getenv("KVIRT_KWOKPERF_OUT"); d != "" {
		dir = d
	}
	if _, err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, report.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", report.MarkdownFile, md)
	if lines := strings.Split(string(md), "\n"); len(lines) < 3 || lines[2] != rep.Summary() {
		t.Errorf("report does not carry the summary line %q:\n%s", rep.Summary(), md)
	}
}

// TestDriverStuckVMIs: two VMIs the stage never moves make the run fail with
// ErrStuck, naming them; everything is still deleted.
func TestDriverStuckVMIs(t *testing.T) {
	cfg := config(t, "kwok-perf-stuck-"+rand.String(5), 15*time.Second)
	stuck := []string{driver.Name(3), driver.Name(11)}
	rep, err := runWithStage(t, cfg, stuck...)
	if !errors.Is(err, driver.ErrStuck) {
		t.Fatalf("run = %v, want ErrStuck", err)
	}
	if rep == nil || !rep.TimedOut {
		t.Fatalf("report = %+v, want a timed-out one", rep)
	}
	for _, name := range stuck {
		if !slices.Contains(rep.Stuck, name) || !strings.Contains(err.Error(), name) {
			t.Errorf("stuck %s not named: report %v, error %v", name, rep.Stuck, err)
		}
	}
	if rep.PhaseCounts[string(virtv1.Pending)] < len(stuck) {
		t.Errorf("phase counts = %v, want at least %d Pending", rep.PhaseCounts, len(stuck))
	}
	if !strings.HasPrefix(rep.Summary(), "only ") {
		t.Errorf("summary = %q", rep.Summary())
	}
}

// requests sums the apiserver's count of verb on resource and its subresources.
func requests(rep *report.Report, verb, resource string) float64 {
	total := 0.0
	for _, q := range rep.APIServerRequests {
		if q.Verb == verb && (q.Resource == resource || strings.HasPrefix(q.Resource, resource+"/")) {
			total += q.Count
		}
	}
	return total
}
