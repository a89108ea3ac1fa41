package virtcontroller

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/componentrbac"
)

// TestLeaderFailoverAndMetrics runs two virt-controller processes on one Lease:
// the standby takes over after the leader is killed without releasing it, and
// /metrics reports leadership, VMI phases, workqueues and REST requests.
func TestLeaderFailoverAndMetrics(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	ctx := context.Background()
	const leaseDuration = 4 * time.Second
	// The Lease lives where the deployed controller's role lets it write one.
	leaseNS := componentrbac.Namespace
	lease := []string{"--leader-elect-namespace", leaseNS, "--leader-elect-lease-duration", leaseDuration.String(),
		"--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "500ms"}
	a := startProcess(t, append(lease, "--leader-elect-identity", "a")...)
	eventually(t, 20*time.Second, "a leads", holder(c, leaseNS, "a"))
	b := startProcess(t, append(lease, "--leader-elect-identity", "b")...)

	runningVMI(t, c, ns, "before", "node01")
	wants := []struct {
		name   string
		labels []string
	}{
		{"kubevirt_virt_controller_leading_status", nil},
		{"kubevirt_vmi_phase_count", []string{`phase="Running"`, `node="node01"`}},
		{"kubevirt_vmi_phase_transition_time_from_creation_seconds_count", []string{`phase="Scheduled"`}},
		// Running is written by virt-handler (here: the test), never by the controller.
		{"kubevirt_vmi_phase_transition_time_from_creation_seconds_count", []string{`phase="Running"`}},
		{"kubevirt_vmi_phase_transition_time_seconds_count", []string{`phase="Running"`, `last_phase="Scheduled"`}},
		{"kubevirt_vmi_info", []string{`name="before"`, `phase="Running"`}},
		{"kubevirt_vmi_launcher_memory_overhead_bytes", []string{`name="before"`}},
		{"kubevirt_info", nil},
		{"kubevirt_virt_controller_ready_status", nil},
		{"kubevirt_workqueue_adds_total", []string{`name="virt-controller-vmi"`}},
		{"kubevirt_rest_client_requests_total", []string{`verb="create"`, `resource="pods"`}},
		{"kubevirt_rest_client_requests_total", []string{`verb="patch"`, `resource="virtualmachineinstances"`}},
	}
	eventually(t, 10*time.Second, "leader metrics", func() error {
		text, err := a.scrape("/metrics")
		if err != nil {
			return err
		}
		for _, want := range wants {
			if v := metricValue(text, want.name, want.labels...); v < 1 {
				return fmt.Errorf("%s%v = %v, want >= 1", want.name, want.labels, v)
			}
		}
		return nil
	})
	if text, err := b.scrape("/metrics"); err != nil || metricValue(text, "kubevirt_virt_controller_leading_status") != 0 {
		t.Errorf("standby reports leading (err %v)", err)
	}

	killed := time.Now()
	a.stop(syscall.SIGKILL)
	eventually(t, 5*leaseDuration, "b takes over", holder(c, leaseNS, "b"))
	t.Logf("standby took over %s after the leader was killed (lease duration %s)", time.Since(killed).Round(100*time.Millisecond), leaseDuration)

	after, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, testVMI(ns, "after"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	launcherPod(t, c, after)
	eventually(t, 10*time.Second, "new leader schedules", vmiPhase(c, ns, after.Name, virtv1.Scheduling))
	eventually(t, 10*time.Second, "b reports leading", func() error {
		text, err := b.scrape("/metrics")
		if err != nil {
			return err
		}
		if metricValue(text, "kubevirt_virt_controller_leading_status") != 1 {
			return fmt.Errorf("leading_status not 1")
		}
		return nil
	})
}

func holder(c clients, ns, want string) func() error {
	return func() error {
		l, err := c.kube.CoordinationV1().Leases(ns).Get(context.Background(), "virt-controller", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != want {
			return fmt.Errorf("holder %v", l.Spec.HolderIdentity)
		}
		return nil
	}
}
