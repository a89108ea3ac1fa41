package domstats

import (
	"fmt"
	"time"

	"libvirt.org/go/libvirt"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Bounds on one reply; virt-handler enforces its own as well.
const (
	MaxInterfaces = 64
	MaxBlocks     = 64
	MaxVCPUs      = 1024
)

// Groups are the stats groups requested from libvirt.
const Groups = libvirt.DOMAIN_STATS_STATE | libvirt.DOMAIN_STATS_CPU_TOTAL | libvirt.DOMAIN_STATS_BALLOON |
	libvirt.DOMAIN_STATS_VCPU | libvirt.DOMAIN_STATS_INTERFACE | libvirt.DOMAIN_STATS_BLOCK

// Read asks libvirt for the domain's bulk stats; interfaceNames maps a host
// device (tap) to the VMI interface name.
func Read(conn *libvirt.Connect, dom *libvirt.Domain, interfaceNames map[string]string) (*launcherv1.DomainStatsReply, error) {
	all, err := conn.GetAllDomainStats([]*libvirt.Domain{dom}, Groups, 0)
	if err != nil {
		return nil, fmt.Errorf("get domain stats: %w", err)
	}
	defer func() {
		for _, s := range all {
			if s.Domain != nil {
				_ = s.Domain.Free()
			}
		}
	}()
	if len(all) == 0 {
		return nil, fmt.Errorf("get domain stats: libvirt returned no record")
	}
	out := Map(&all[0], interfaceNames)
	out.TimestampUnixNano = time.Now().UnixNano()
	return out, nil
}

// Map converts one libvirt stats record. Entries past the bounds are dropped.
func Map(s *libvirt.DomainStats, interfaceNames map[string]string) *launcherv1.DomainStatsReply {
	out := &launcherv1.DomainStatsReply{}
	if st := s.State; st != nil && st.StateSet {
		out.State = StateName(st.State)
		out.StateReason = int32(st.Reason)
	}
	if c := s.Cpu; c != nil {
		out.Cpu = &launcherv1.DomainStatsCPU{TimeNs: opt(c.TimeSet, c.Time), UserNs: opt(c.UserSet, c.User),
			SystemNs: opt(c.SystemSet, c.System)}
	}
	if b := s.Balloon; b != nil {
		out.Memory = &launcherv1.DomainStatsMemory{
			CurrentKib: opt(b.CurrentSet, b.Current), MaximumKib: opt(b.MaximumSet, b.Maximum),
			SwapInKib: opt(b.SwapInSet, b.SwapIn), SwapOutKib: opt(b.SwapOutSet, b.SwapOut),
			MajorFault: opt(b.MajorFaultSet, b.MajorFault), MinorFault: opt(b.MinorFaultSet, b.MinorFault),
			UnusedKib: opt(b.UnusedSet, b.Unused), AvailableKib: opt(b.AvailableSet, b.Available),
			UsableKib: opt(b.UsableSet, b.Usable), RssKib: opt(b.RssSet, b.Rss),
			DiskCachesKib: opt(b.DiskCachesSet, b.DiskCaches),
		}
	}
	out.VcpuCurrent = uint32(min(len(s.Vcpu), MaxVCPUs))
	for i, v := range s.Vcpu[:out.VcpuCurrent] {
		e := &launcherv1.DomainStatsVCPU{Id: uint32(i), TimeNs: opt(v.TimeSet, v.Time), WaitNs: opt(v.WaitSet, v.Wait),
			DelayNs: opt(v.DelaySet, v.Delay)}
		if v.StateSet {
			st := int32(v.State)
			e.State = &st
		}
		out.Vcpus = append(out.Vcpus, e)
	}
	for _, n := range s.Net[:min(len(s.Net), MaxInterfaces)] {
		out.Interfaces = append(out.Interfaces, mapNet(n, interfaceNames))
	}
	for _, b := range s.Block[:min(len(s.Block), MaxBlocks)] {
		out.Blocks = append(out.Blocks, &launcherv1.DomainStatsBlock{Name: b.Name,
			RdReqs: opt(b.RdReqsSet, b.RdReqs), RdBytes: opt(b.RdBytesSet, b.RdBytes), RdTimesNs: opt(b.RdTimesSet, b.RdTimes),
			WrReqs: opt(b.WrReqsSet, b.WrReqs), WrBytes: opt(b.WrBytesSet, b.WrBytes), WrTimesNs: opt(b.WrTimesSet, b.WrTimes),
			FlReqs: opt(b.FlReqsSet, b.FlReqs), FlTimesNs: opt(b.FlTimesSet, b.FlTimes)})
	}
	return out
}

func mapNet(n libvirt.DomainStatsNet, interfaceNames map[string]string) *launcherv1.DomainStatsNet {
	return &launcherv1.DomainStatsNet{Name: n.Name, InterfaceName: interfaceNames[n.Name],
		RxBytes: opt(n.RxBytesSet, n.RxBytes), RxPackets: opt(n.RxPktsSet, n.RxPkts),
		RxErrs: opt(n.RxErrsSet, n.RxErrs), RxDrop: opt(n.RxDropSet, n.RxDrop),
		TxBytes: opt(n.TxBytesSet, n.TxBytes), TxPackets: opt(n.TxPktsSet, n.TxPkts),
		TxErrs: opt(n.TxErrsSet, n.TxErrs), TxDrop: opt(n.TxDropSet, n.TxDrop)}
}

func opt(set bool, v uint64) *uint64 {
	if !set {
		return nil
	}
	return &v
}

// StateName is libvirt's domain state as the protocol spells it.
func StateName(s libvirt.DomainState) string {
	switch s {
	case libvirt.DOMAIN_RUNNING:
		return "Running"
	case libvirt.DOMAIN_BLOCKED:
		return "Blocked"
	case libvirt.DOMAIN_PAUSED:
		return "Paused"
	case libvirt.DOMAIN_SHUTDOWN:
		return "ShuttingDown"
	case libvirt.DOMAIN_SHUTOFF:
		return "Shutoff"
	case libvirt.DOMAIN_CRASHED:
		return "Crashed"
	case libvirt.DOMAIN_PMSUSPENDED:
		return "PMSuspended"
	}
	return "NoState"
}
