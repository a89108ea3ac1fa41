package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
	"kvirt.io/kvirt/tests/framework/prometheus"
)

// promTimeout bounds each wait on the loopback Prometheus (scrapes every 5 s).
const promTimeout = 3 * time.Minute

// TestPrometheus starts hack/prometheus.sh against the local cluster and waits
// until every component's targets are up (virt-handler's only when its pods
// declare a metrics port), both rule groups are loaded and healthy,
// kubevirt_virt_controller_up counts at least one pod, and no kvirt alert fires.
// Then, for a running VM, Prometheus's HTTP API returns its CPU time increasing,
// its resident memory above zero and a Running series of virt-controller's
// creation histogram.
func TestPrometheus(t *testing.T) {
	ctx := context.Background()
	if _, err := e.kube.CoreV1().Services(kvirtNamespace).Get(ctx, "kubevirt-prometheus-metrics", metav1.GetOptions{}); err != nil {
		t.Errorf("metrics service: %v", err)
	}
	prom, err := prometheus.Start(ctx, e.root, "KVIRT_PROMETHEUS_KUBECONFIG="+e.kubeconfig, "KVIRT_E2E_KUBECTL="+e.kubectl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := prom.Stop(context.Background()); err != nil {
			t.Errorf("stop prometheus: %v", err)
		}
	})
	t.Logf("prometheus at %s", prom.URL)
	components := []string{"virt-api", "virt-controller", "virt-operator"}
	if handlerServesMetrics(ctx, t) {
		components = append(components, "virt-handler")
	} else {
		t.Log("virt-handler declares no metrics port: not expecting its target")
	}
	poll.Eventually(t, promTimeout, "every component's targets up", func() error { return targetsUp(ctx, prom, components) })
	poll.Eventually(t, promTimeout, "rule groups loaded and evaluated", func() error { return rulesHealthy(ctx, prom) })
	poll.Eventually(t, promTimeout, "kubevirt_virt_controller_up >= 1", func() error {
		s, err := prom.Query(ctx, "kubevirt_virt_controller_up")
		if err != nil {
			return err
		}
		if len(s) != 1 || s[0].Value < 1 {
			return fmt.Errorf("samples %+v", s)
		}
		return nil
	})
	alerts, err := prom.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if a.State == "firing" && a.Labels["kubernetes_operator_part_of"] == "kvirt" {
			t.Errorf("alert %s firing: %v", a.Labels["alertname"], a.Annotations)
		}
	}
	if !slices.Contains(components, "virt-handler") {
		return
	}
	vmSeriesThroughPrometheus(ctx, t, prom)
}

// vmSeriesThroughPrometheus boots the test VM and asks Prometheus for its
// domain stats (scraped from virt-handler) and for virt-controller's Running
// observation of it.
func vmSeriesThroughPrometheus(ctx context.Context, t *testing.T, prom *prometheus.Instance) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, example(t, "vm-testguest.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	startVM(t, ns, "testvm")
	waitRunning(t, ns, "testvm")
	sel := fmt.Sprintf(`{namespace=%q,name="testvm"}`, ns)
	one := func(query string) (float64, error) {
		s, err := prom.Query(ctx, query)
		if err != nil {
			return 0, err
		}
		if len(s) != 1 {
			return 0, fmt.Errorf("%s: want one sample, have %+v", query, s)
		}
		return s[0].Value, nil
	}
	first := -1.0
	poll.Eventually(t, promTimeout, "kubevirt_vmi_cpu_usage_seconds_total increasing", func() error {
		v, err := one("kubevirt_vmi_cpu_usage_seconds_total" + sel)
		if err != nil {
			return err
		}
		if first < 0 {
			first = v
		}
		if v <= first {
			return fmt.Errorf("still %v (first %v)", v, first)
		}
		return nil
	})
	poll.Eventually(t, promTimeout, "kubevirt_vmi_memory_resident_bytes > 0", func() error {
		v, err := one("kubevirt_vmi_memory_resident_bytes" + sel)
		if err == nil && v <= 0 {
			err = fmt.Errorf("resident %v", v)
		}
		return err
	})
	poll.Eventually(t, promTimeout, "a Running creation-histogram bucket", func() error {
		s, err := prom.Query(ctx, `kubevirt_vmi_phase_transition_time_from_creation_seconds_bucket{phase="Running"}`)
		if err == nil && len(s) == 0 {
			err = errors.New("no series")
		}
		return err
	})
	if err := e.sub.StopVM(ctx, ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitVMIGone(t, ns, "testvm")
}

// handlerServesMetrics: some virt-handler pod declares a port named *metrics*.
func handlerServesMetrics(ctx context.Context, t *testing.T) bool {
	t.Helper()
	pods, err := e.kube.CoreV1().Pods(kvirtNamespace).List(ctx, metav1.ListOptions{LabelSelector: "kubevirt.io=virt-handler"})
	if err != nil {
		t.Fatalf("list virt-handler pods: %v", err)
	}
	for _, p := range pods.Items {
		for _, c := range p.Spec.Containers {
			for _, port := range c.Ports {
				if strings.Contains(port.Name, "metrics") {
					return true
				}
			}
		}
	}
	return false
}

// targetsUp: each component has a target and all its targets are up.
func targetsUp(ctx context.Context, prom *prometheus.Instance, components []string) error {
	ts, err := prom.Targets(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, comp := range components {
		n := 0
		for _, tg := range ts {
			if tg.Labels["component"] != comp {
				continue
			}
			n++
			if tg.Health != "up" {
				errs = append(errs, fmt.Errorf("%s %s: %s %s", tg.Labels["pod"], tg.ScrapeURL, tg.Health, tg.LastError))
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("no %s target", comp))
		}
	}
	return errors.Join(errs...)
}

// rulesHealthy: both groups of the PrometheusRule are loaded and every rule
// evaluated without error.
func rulesHealthy(ctx context.Context, prom *prometheus.Instance) error {
	groups, err := prom.Rules(ctx)
	if err != nil {
		return err
	}
	var names []string
	var errs []error
	for _, g := range groups {
		names = append(names, g.Name)
		for _, r := range g.Rules {
			if r.Health != "ok" {
				errs = append(errs, fmt.Errorf("rule %s: %s %s", r.Name, r.Health, r.LastError))
			}
		}
	}
	for _, want := range []string{"kubevirt.rules", "kubevirt.alerts"} {
		if !slices.Contains(names, want) {
			errs = append(errs, fmt.Errorf("group %s not loaded (have %v)", want, names))
		}
	}
	return errors.Join(errs...)
}
