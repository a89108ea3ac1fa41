package node

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/domainstats"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// oneLauncher feeds the collector from one real launcher.
type oneLauncher struct {
	vmi    *virtv1.VirtualMachineInstance
	client launcherv1.LauncherClient
}

func (o oneLauncher) VMIs() []*virtv1.VirtualMachineInstance {
	return []*virtv1.VirtualMachineInstance{o.vmi}
}

func (o oneLauncher) DomainStats(ctx context.Context, _ *virtv1.VirtualMachineInstance) (*launcherv1.DomainStatsReply, error) {
	return o.client.DomainStats(ctx, &launcherv1.Empty{})
}

// stopProcess SIGSTOPs pid and resumes it when the test ends.
func stopProcess(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
}

// TestLauncherDomainStats: a booted guest reports libvirt's bulk stats (CPU
// time and RSS above zero, its vCPU and disk), and a scrape through the
// collector returns at its deadline with a stopped launcher skipped.
func TestLauncherDomainStats(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("domain-stats")
	l := startLauncher(t, env, string(vmi.UID), "")
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	l.WaitForState(t, 60*time.Second, "Running")
	l.Console(t).WaitFor(t, 120*time.Second, bootMarker)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := l.Client.DomainStats(ctx, &launcherv1.Empty{})
	if err != nil {
		t.Fatalf("DomainStats: %v", err)
	}
	if r.State != "Running" || r.GetCpu().GetTimeNs() == 0 || r.GetMemory().GetRssKib() == 0 || len(r.Vcpus) == 0 ||
		r.Vcpus[0].GetTimeNs() == 0 {
		t.Fatalf("DomainStats = %v, want Running with CPU time, RSS and vCPU time", r)
	}
	t.Logf("FIGURE domain stats: cpu %.2fs, rss %d KiB, %d vcpus, %d interfaces, %d blocks",
		float64(r.Cpu.GetTimeNs())/1e9, r.Memory.GetRssKib(), len(r.Vcpus), len(r.Interfaces), len(r.Blocks))

	const deadline = 2 * time.Second
	collector := domainstats.New(domainstats.Config{NodeName: "n", Launchers: oneLauncher{vmi, l.Client}, Deadline: deadline})
	if n := testutil.CollectAndCount(collector, "kubevirt_vmi_cpu_usage_seconds_total"); n != 1 {
		t.Fatalf("cpu usage series = %d, want 1", n)
	}
	stopProcess(t, l.Cmd.Process.Pid)
	start := time.Now()
	n := testutil.CollectAndCount(collector, "kubevirt_vmi_cpu_usage_seconds_total")
	took := time.Since(start)
	if n != 0 {
		t.Errorf("stopped launcher rendered %d series", n)
	}
	errs, err := testutil.GatherAndCount(gathererOf(collector), "kubevirt_vmi_domainstats_scrape_errors_total")
	if err != nil || errs != 1 {
		t.Errorf("scrape errors series = %d, %v", errs, err)
	}
	t.Logf("FIGURE scrape with a SIGSTOPped launcher returned after %s (deadline %s)", took.Round(time.Millisecond), deadline)
}

func gathererOf(c prometheus.Collector) prometheus.Gatherer {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return reg
}

// TestHandlerMetricsScrape: virt-handler's TLS /metrics has the running VMI's
// domain stats at upstream's names; with its launcher SIGSTOPped a scrape
// still answers (after the launcher deadline), without that VMI, and counts
// the skipped launcher.
func TestHandlerMetricsScrape(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := c.createScheduled(t, kernelBootVMI("handler-metrics"))
	l := c.launcherFor(t, env, vmi, "")
	c.waitForVMI(t, vmi, 120*time.Second, "Running", phaseIs(virtv1.Running))
	l.Console(t).WaitFor(t, 120*time.Second, bootMarker)
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: c.tlsConfig(t)}}
	series := fmt.Sprintf(`{name=%q,namespace=%q,node=%q}`, vmi.Name, vmi.Namespace, c.node)
	var text string
	nodeenv.WaitFor(t, 60*time.Second, "domain stats on /metrics", func() (bool, string) {
		var err error
		if text, err = scrape(client, "https://"+c.metricsAddr+"/metrics"); err != nil {
			return false, err.Error()
		}
		return sample(text, "kubevirt_vmi_cpu_usage_seconds_total"+series) > 0 &&
			sample(text, "kubevirt_vmi_memory_resident_bytes"+series) > 0, text
	})
	for _, name := range []string{"kubevirt_info", "kubevirt_virt_handler_ready_status", "kubevirt_vmi_vcpu_seconds_total"} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	stopProcess(t, l.Cmd.Process.Pid)
	start := time.Now()
	text, err := scrape(client, "https://"+c.metricsAddr+"/metrics")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("scrape with a stopped launcher: %v", err)
	}
	if strings.Contains(text, "kubevirt_vmi_cpu_usage_seconds_total"+series) {
		t.Error("stopped launcher's VMI still rendered")
	}
	if sample(text, "kubevirt_vmi_domainstats_scrape_errors_total") < 1 {
		t.Error("skipped launcher not counted")
	}
	t.Logf("FIGURE handler scrape with a SIGSTOPped launcher: %s (deadline 3s)", took.Round(time.Millisecond))
}

func scrape(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", resp.Status, body)
	}
	return string(body), err
}

// sample is the value of the line starting with series (name and labels as
// the text format sorts them), or -1.
func sample(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			if v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
				return v
			}
		}
	}
	return -1
}
