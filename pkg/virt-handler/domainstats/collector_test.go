package domainstats

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// fakeLaunchers answers from replies keyed by VMI name; names in hang block
// until released (they ignore ctx on purpose, like a stopped process behind
// a connection that never times out).
type fakeLaunchers struct {
	vmis    []*virtv1.VirtualMachineInstance
	replies map[string]*launcherv1.DomainStatsReply
	hang    map[string]bool
	release chan struct{}
}

func (f *fakeLaunchers) VMIs() []*virtv1.VirtualMachineInstance { return f.vmis }

func (f *fakeLaunchers) DomainStats(_ context.Context, vmi *virtv1.VirtualMachineInstance) (*launcherv1.DomainStatsReply, error) {
	if f.hang[vmi.Name] {
		<-f.release
	}
	r, ok := f.replies[vmi.Name]
	if !ok {
		return nil, fmt.Errorf("no launcher")
	}
	return r, nil
}

func u(v uint64) *uint64 { return &v }

func fullReply(ifaces, disks, vcpus int) *launcherv1.DomainStatsReply {
	r := &launcherv1.DomainStatsReply{State: "Running",
		Cpu: &launcherv1.DomainStatsCPU{TimeNs: u(2_500_000_000), UserNs: u(1e9), SystemNs: u(5e8)},
		Memory: &launcherv1.DomainStatsMemory{RssKib: u(1024), AvailableKib: u(4096), UnusedKib: u(1024),
			UsableKib: u(2048), CurrentKib: u(4096), MaximumKib: u(4096), DiskCachesKib: u(10),
			SwapInKib: u(0), SwapOutKib: u(0), MajorFault: u(3), MinorFault: u(30)}}
	for i := range vcpus {
		st := int32(1)
		r.Vcpus = append(r.Vcpus, &launcherv1.DomainStatsVCPU{Id: uint32(i), State: &st, TimeNs: u(1e9), WaitNs: u(1), DelayNs: u(2)})
	}
	for i := range ifaces {
		r.Interfaces = append(r.Interfaces, &launcherv1.DomainStatsNet{Name: fmt.Sprintf("tap%d", i),
			InterfaceName: fmt.Sprintf("net%d", i), RxBytes: u(1), TxBytes: u(2), RxPackets: u(3), TxPackets: u(4),
			RxErrs: u(0), TxErrs: u(0), RxDrop: u(0), TxDrop: u(0)})
	}
	for i := range disks {
		r.Blocks = append(r.Blocks, &launcherv1.DomainStatsBlock{Name: fmt.Sprintf("vd%d", i), RdReqs: u(1), RdBytes: u(512),
			RdTimesNs: u(1e6), WrReqs: u(2), WrBytes: u(1024), WrTimesNs: u(2e6), FlReqs: u(1), FlTimesNs: u(1e5)})
	}
	return r
}

func testVMI(name string) *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name)}}
}

func newFake(n int, reply func(i int) *launcherv1.DomainStatsReply) *fakeLaunchers {
	f := &fakeLaunchers{replies: map[string]*launcherv1.DomainStatsReply{}, hang: map[string]bool{}, release: make(chan struct{})}
	for i := range n {
		name := fmt.Sprintf("vm%d", i)
		f.vmis = append(f.vmis, testVMI(name))
		f.replies[name] = reply(i)
	}
	return f
}

func gather(t testing.TB, c *Collector) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return mfs
}

func family(mfs []*dto.MetricFamily, name string) *dto.MetricFamily {
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	return nil
}

func TestRenderUpstreamNames(t *testing.T) {
	f := newFake(1, func(int) *launcherv1.DomainStatsReply { return fullReply(1, 1, 2) })
	c := New(Config{NodeName: "node1", Launchers: f})
	want := `
# HELP kubevirt_vmi_cpu_usage_seconds_total Total CPU time spent in all modes (sum of both vcpu and hypervisor usage).
# TYPE kubevirt_vmi_cpu_usage_seconds_total counter
kubevirt_vmi_cpu_usage_seconds_total{name="vm0",namespace="ns",node="node1"} 2.5
# HELP kubevirt_vmi_memory_resident_bytes Resident set size of the process running the domain.
# TYPE kubevirt_vmi_memory_resident_bytes gauge
kubevirt_vmi_memory_resident_bytes{name="vm0",namespace="ns",node="node1"} 1.048576e+06
# HELP kubevirt_vmi_memory_used_bytes Amount of used memory as seen by the domain (available minus unused).
# TYPE kubevirt_vmi_memory_used_bytes gauge
kubevirt_vmi_memory_used_bytes{name="vm0",namespace="ns",node="node1"} 3.145728e+06
# HELP kubevirt_vmi_vcpu_seconds_total Time spent by each vCPU in its current state.
# TYPE kubevirt_vmi_vcpu_seconds_total counter
kubevirt_vmi_vcpu_seconds_total{id="0",name="vm0",namespace="ns",node="node1",state="running"} 1
kubevirt_vmi_vcpu_seconds_total{id="1",name="vm0",namespace="ns",node="node1",state="running"} 1
# HELP kubevirt_vmi_network_receive_bytes_total Bytes received on the interface.
# TYPE kubevirt_vmi_network_receive_bytes_total counter
kubevirt_vmi_network_receive_bytes_total{interface="net0",name="vm0",namespace="ns",node="node1"} 1
# HELP kubevirt_vmi_storage_write_times_seconds_total Time spent writing to the drive.
# TYPE kubevirt_vmi_storage_write_times_seconds_total counter
kubevirt_vmi_storage_write_times_seconds_total{drive="vd0",name="vm0",namespace="ns",node="node1"} 0.002
# HELP kubevirt_vmi_domainstats_scrape_errors_total Launchers whose domain stats a scrape skipped because they failed or missed the deadline.
# TYPE kubevirt_vmi_domainstats_scrape_errors_total counter
kubevirt_vmi_domainstats_scrape_errors_total 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "kubevirt_vmi_cpu_usage_seconds_total",
		"kubevirt_vmi_memory_resident_bytes", "kubevirt_vmi_memory_used_bytes", "kubevirt_vmi_vcpu_seconds_total",
		"kubevirt_vmi_network_receive_bytes_total", "kubevirt_vmi_storage_write_times_seconds_total",
		"kubevirt_vmi_domainstats_scrape_errors_total"); err != nil {
		t.Fatal(err)
	}
	mfs := gather(t, c)
	for _, d := range allDescs {
		name := descName(d)
		if family(mfs, name) == nil {
			t.Errorf("%s not rendered from a full reply", name)
		}
	}
}

func descName(d *prometheus.Desc) string {
	s := d.String()
	_, rest, _ := strings.Cut(s, `fqName: "`)
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

func TestRenderBoundsForgedReply(t *testing.T) {
	forged := fullReply(10000, 10000, 5000)
	// Duplicates, oversized and invalid names must neither break the scrape nor add series.
	forged.Interfaces = append([]*launcherv1.DomainStatsNet{
		{Name: "dup", RxBytes: u(1)}, {Name: "dup", RxBytes: u(2)}, {Name: strings.Repeat("x", 500), RxBytes: u(1)},
		{Name: "\xff\xfe", RxBytes: u(1)}}, forged.Interfaces...)
	forged.Blocks = append([]*launcherv1.DomainStatsBlock{{Name: "vda", RdBytes: u(1)}, {Name: "vda", RdBytes: u(1)}},
		forged.Blocks...)
	forged.Vcpus = append([]*launcherv1.DomainStatsVCPU{{Id: 0, TimeNs: u(1)}}, forged.Vcpus...)
	f := newFake(1, func(int) *launcherv1.DomainStatsReply { return forged })
	f.vmis[0].Name = "victim"
	f.replies["victim"] = forged
	mfs := gather(t, New(Config{NodeName: "n", Launchers: f}))
	counts := map[string]int{"kubevirt_vmi_network_receive_bytes_total": MaxInterfaces,
		"kubevirt_vmi_storage_read_traffic_bytes_total": MaxDisks, "kubevirt_vmi_vcpu_wait_seconds_total": MaxVCPUs}
	for name, most := range counts {
		mf := family(mfs, name)
		if mf == nil || len(mf.Metric) > most || len(mf.Metric) == 0 {
			t.Errorf("%s: %v series, want 1..%d", name, mf, most)
		}
	}
	for _, m := range family(mfs, "kubevirt_vmi_cpu_usage_seconds_total").Metric {
		for _, l := range m.Label {
			if l.GetName() == "name" && l.GetValue() != "victim" {
				t.Errorf("name label %q not from the handler's VMI", l.GetValue())
			}
		}
	}
}

func TestHungLauncherSkippedAtDeadline(t *testing.T) {
	f := newFake(3, func(int) *launcherv1.DomainStatsReply { return fullReply(1, 1, 1) })
	f.hang["vm1"] = true
	t.Cleanup(func() { close(f.release) })
	c := New(Config{NodeName: "n", Launchers: f, Deadline: 200 * time.Millisecond})
	start := time.Now()
	mfs := gather(t, c)
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("scrape took %v with a hung launcher", took)
	}
	names := map[string]bool{}
	for _, m := range family(mfs, "kubevirt_vmi_cpu_usage_seconds_total").Metric {
		for _, l := range m.Label {
			if l.GetName() == "name" {
				names[l.GetValue()] = true
			}
		}
	}
	if !names["vm0"] || !names["vm2"] || names["vm1"] || len(names) != 2 {
		t.Errorf("rendered VMIs %v, want vm0 and vm2", names)
	}
	if got := testutil.ToFloat64(c.errors); got != 1 {
		t.Errorf("scrape errors = %v, want 1", got)
	}
}

func TestFailingLauncherCounted(t *testing.T) {
	f := newFake(2, func(int) *launcherv1.DomainStatsReply { return fullReply(0, 0, 0) })
	delete(f.replies, "vm0")
	c := New(Config{NodeName: "n", Launchers: f})
	mfs := gather(t, c)
	if n := len(family(mfs, "kubevirt_vmi_cpu_usage_seconds_total").Metric); n != 1 {
		t.Errorf("%d VMIs rendered, want 1", n)
	}
	if got := testutil.ToFloat64(c.errors); got != 1 {
		t.Errorf("scrape errors = %v, want 1", got)
	}
	if mfs := gather(t, New(Config{Launchers: &fakeLaunchers{}})); family(mfs, "kubevirt_vmi_cpu_usage_seconds_total") != nil {
		t.Error("series without VMIs")
	}
}

// BenchmarkScrape10VMIs measures one scrape of 10 VMIs (2 interfaces, 2
// disks, 4 vCPUs each): collect from fake launchers, render and encode in the
// text format.
func BenchmarkScrape10VMIs(b *testing.B) {
	f := newFake(10, func(int) *launcherv1.DomainStatsReply { return fullReply(2, 2, 4) })
	reg := prometheus.NewRegistry()
	reg.MustRegister(New(Config{NodeName: "node1", Launchers: f}))
	var mu sync.Mutex
	b.ResetTimer()
	for range b.N {
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
		mu.Unlock()
	}
}
