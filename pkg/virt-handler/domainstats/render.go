package domainstats

import (
	"strconv"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Bounds on what one launcher's reply can add to a scrape: the reply is
// tenant-controlled.
const (
	MaxInterfaces = 64
	MaxDisks      = 64
	MaxVCPUs      = 1024
	// maxLabelLen bounds an interface or drive name taken from a reply.
	maxLabelLen = 64
)

var base = []string{"node", "namespace", "name"}

func desc(name, help string, extra ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, append(append([]string(nil), base...), extra...), nil)
}

var (
	cpuUsage  = desc("kubevirt_vmi_cpu_usage_seconds_total", "Total CPU time spent in all modes (sum of both vcpu and hypervisor usage).")
	cpuSystem = desc("kubevirt_vmi_cpu_system_usage_seconds_total", "Total CPU time spent in system mode.")
	cpuUser   = desc("kubevirt_vmi_cpu_user_usage_seconds_total", "Total CPU time spent in user mode.")

	memResident  = desc("kubevirt_vmi_memory_resident_bytes", "Resident set size of the process running the domain.")
	memAvailable = desc("kubevirt_vmi_memory_available_bytes", "Amount of usable memory as seen by the domain.")
	memDomain    = desc("kubevirt_vmi_memory_domain_bytes", "Memory allocated to the domain (the domain's maximum).")
	memUsed      = desc("kubevirt_vmi_memory_used_bytes", "Amount of used memory as seen by the domain (available minus unused).")
	memUnused    = desc("kubevirt_vmi_memory_unused_bytes", "Amount of unused memory as seen by the domain.")
	memUsable    = desc("kubevirt_vmi_memory_usable_bytes", "Memory that can be reclaimed by the balloon without swapping.")
	memBalloon   = desc("kubevirt_vmi_memory_actual_balloon_bytes", "Current balloon size.")
	memCached    = desc("kubevirt_vmi_memory_cached_bytes", "Memory the domain can quickly reclaim (disk caches).")
	memSwapIn    = desc("kubevirt_vmi_memory_swap_in_traffic_bytes", "Memory the guest read from swap space.")
	memSwapOut   = desc("kubevirt_vmi_memory_swap_out_traffic_bytes", "Memory the guest wrote to swap space.")
	memMajFault  = desc("kubevirt_vmi_memory_pgmajfault_total", "Page faults that needed disk IO.")
	memMinFault  = desc("kubevirt_vmi_memory_pgminfault_total", "Page faults served without disk IO.")

	vcpuSeconds = desc("kubevirt_vmi_vcpu_seconds_total", "Time spent by each vCPU in its current state.", "id", "state")
	vcpuWait    = desc("kubevirt_vmi_vcpu_wait_seconds_total", "Time spent by each vCPU waiting on I/O.", "id")
	vcpuDelay   = desc("kubevirt_vmi_vcpu_delay_seconds_total", "Time spent by each vCPU waiting in the queue instead of running.", "id")

	netRxBytes = desc("kubevirt_vmi_network_receive_bytes_total", "Bytes received on the interface.", "interface")
	netTxBytes = desc("kubevirt_vmi_network_transmit_bytes_total", "Bytes transmitted on the interface.", "interface")
	netRxPkts  = desc("kubevirt_vmi_network_receive_packets_total", "Packets received on the interface.", "interface")
	netTxPkts  = desc("kubevirt_vmi_network_transmit_packets_total", "Packets transmitted on the interface.", "interface")
	netRxErrs  = desc("kubevirt_vmi_network_receive_errors_total", "Receive errors on the interface.", "interface")
	netTxErrs  = desc("kubevirt_vmi_network_transmit_errors_total", "Transmit errors on the interface.", "interface")
	netRxDrop  = desc("kubevirt_vmi_network_receive_packets_dropped_total", "Received packets dropped on the interface.", "interface")
	netTxDrop  = desc("kubevirt_vmi_network_transmit_packets_dropped_total", "Transmitted packets dropped on the interface.", "interface")

	blkRdBytes = desc("kubevirt_vmi_storage_read_traffic_bytes_total", "Bytes read from the drive.", "drive")
	blkWrBytes = desc("kubevirt_vmi_storage_write_traffic_bytes_total", "Bytes written to the drive.", "drive")
	blkRdReqs  = desc("kubevirt_vmi_storage_iops_read_total", "Read requests on the drive.", "drive")
	blkWrReqs  = desc("kubevirt_vmi_storage_iops_write_total", "Write requests on the drive.", "drive")
	blkRdTimes = desc("kubevirt_vmi_storage_read_times_seconds_total", "Time spent reading from the drive.", "drive")
	blkWrTimes = desc("kubevirt_vmi_storage_write_times_seconds_total", "Time spent writing to the drive.", "drive")
	blkFlReqs  = desc("kubevirt_vmi_storage_flush_requests_total", "Flush requests on the drive.", "drive")
	blkFlTimes = desc("kubevirt_vmi_storage_flush_times_seconds_total", "Time spent flushing the drive.", "drive")
)

var allDescs = []*prometheus.Desc{cpuUsage, cpuSystem, cpuUser,
	memResident, memAvailable, memDomain, memUsed, memUnused, memUsable, memBalloon, memCached, memSwapIn, memSwapOut,
	memMajFault, memMinFault, vcpuSeconds, vcpuWait, vcpuDelay,
	netRxBytes, netTxBytes, netRxPkts, netTxPkts, netRxErrs, netTxErrs, netRxDrop, netTxDrop,
	blkRdBytes, blkWrBytes, blkRdReqs, blkWrReqs, blkRdTimes, blkWrTimes, blkFlReqs, blkFlTimes}

const (
	nano = 1e-9
	kib  = 1024
)

// emitter sends one VMI's series; labels come from the handler's VMI.
type emitter struct {
	ch     chan<- prometheus.Metric
	labels []string
}

func (e emitter) emit(d *prometheus.Desc, t prometheus.ValueType, v *uint64, scale float64, extra ...string) {
	if v == nil {
		return
	}
	m, err := prometheus.NewConstMetric(d, t, float64(*v)*scale, append(e.labels[:len(e.labels):len(e.labels)], extra...)...)
	if err == nil {
		e.ch <- m
	}
}

// render sends the series of one VMI's reply, at most MaxVCPUs vCPUs,
// MaxInterfaces interfaces and MaxDisks drives, each label value once.
func render(ch chan<- prometheus.Metric, node string, vmi *virtv1.VirtualMachineInstance, r *launcherv1.DomainStatsReply) {
	e := emitter{ch: ch, labels: []string{node, vmi.Namespace, vmi.Name}}
	if c := r.GetCpu(); c != nil {
		e.emit(cpuUsage, prometheus.CounterValue, c.TimeNs, nano)
		e.emit(cpuSystem, prometheus.CounterValue, c.SystemNs, nano)
		e.emit(cpuUser, prometheus.CounterValue, c.UserNs, nano)
	}
	renderMemory(e, r.GetMemory())
	renderVCPUs(e, r.GetVcpus())
	renderInterfaces(e, r.GetInterfaces())
	renderBlocks(e, r.GetBlocks())
}

func renderMemory(e emitter, m *launcherv1.DomainStatsMemory) {
	if m == nil {
		return
	}
	g := prometheus.GaugeValue
	e.emit(memResident, g, m.RssKib, kib)
	e.emit(memAvailable, g, m.AvailableKib, kib)
	e.emit(memDomain, g, m.MaximumKib, kib)
	e.emit(memUnused, g, m.UnusedKib, kib)
	e.emit(memUsable, g, m.UsableKib, kib)
	e.emit(memBalloon, g, m.CurrentKib, kib)
	e.emit(memCached, g, m.DiskCachesKib, kib)
	e.emit(memSwapIn, g, m.SwapInKib, kib)
	e.emit(memSwapOut, g, m.SwapOutKib, kib)
	e.emit(memMajFault, prometheus.CounterValue, m.MajorFault, 1)
	e.emit(memMinFault, prometheus.CounterValue, m.MinorFault, 1)
	if m.AvailableKib != nil && m.UnusedKib != nil && *m.AvailableKib >= *m.UnusedKib {
		used := *m.AvailableKib - *m.UnusedKib
		e.emit(memUsed, g, &used, kib)
	}
}

func renderVCPUs(e emitter, vcpus []*launcherv1.DomainStatsVCPU) {
	seen := map[uint32]bool{}
	for _, v := range vcpus {
		if len(seen) >= MaxVCPUs {
			return
		}
		if seen[v.Id] {
			continue
		}
		seen[v.Id] = true
		id := strconv.FormatUint(uint64(v.Id), 10)
		e.emit(vcpuSeconds, prometheus.CounterValue, v.TimeNs, nano, id, vcpuState(v.State))
		e.emit(vcpuWait, prometheus.CounterValue, v.WaitNs, nano, id)
		e.emit(vcpuDelay, prometheus.CounterValue, v.DelayNs, nano, id)
	}
}

// vcpuState spells libvirt's vCPU state as upstream's state label does.
func vcpuState(s *int32) string {
	switch {
	case s == nil:
		return "unknown"
	case *s == 0:
		return "offline"
	case *s == 1:
		return "running"
	case *s == 2:
		return "blocked"
	}
	return "unknown"
}

func renderInterfaces(e emitter, ifaces []*launcherv1.DomainStatsNet) {
	seen := map[string]bool{}
	c := prometheus.CounterValue
	for _, n := range ifaces {
		if len(seen) >= MaxInterfaces {
			return
		}
		name := n.InterfaceName
		if name == "" {
			name = n.Name
		}
		if !validLabel(name) || seen[name] {
			continue
		}
		seen[name] = true
		e.emit(netRxBytes, c, n.RxBytes, 1, name)
		e.emit(netTxBytes, c, n.TxBytes, 1, name)
		e.emit(netRxPkts, c, n.RxPackets, 1, name)
		e.emit(netTxPkts, c, n.TxPackets, 1, name)
		e.emit(netRxErrs, c, n.RxErrs, 1, name)
		e.emit(netTxErrs, c, n.TxErrs, 1, name)
		e.emit(netRxDrop, c, n.RxDrop, 1, name)
		e.emit(netTxDrop, c, n.TxDrop, 1, name)
	}
}

func renderBlocks(e emitter, blocks []*launcherv1.DomainStatsBlock) {
	seen := map[string]bool{}
	c := prometheus.CounterValue
	for _, b := range blocks {
		if len(seen) >= MaxDisks {
			return
		}
		if !validLabel(b.Name) || seen[b.Name] {
			continue
		}
		seen[b.Name] = true
		e.emit(blkRdBytes, c, b.RdBytes, 1, b.Name)
		e.emit(blkWrBytes, c, b.WrBytes, 1, b.Name)
		e.emit(blkRdReqs, c, b.RdReqs, 1, b.Name)
		e.emit(blkWrReqs, c, b.WrReqs, 1, b.Name)
		e.emit(blkRdTimes, c, b.RdTimesNs, nano, b.Name)
		e.emit(blkWrTimes, c, b.WrTimesNs, nano, b.Name)
		e.emit(blkFlReqs, c, b.FlReqs, 1, b.Name)
		e.emit(blkFlTimes, c, b.FlTimesNs, nano, b.Name)
	}
}

// validLabel accepts a short, valid UTF-8, non-empty label value.
func validLabel(s string) bool {
	return s != "" && len(s) <= maxLabelLen && utf8.ValidString(s)
}
