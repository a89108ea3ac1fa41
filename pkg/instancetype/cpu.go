package instancetype

import (
	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// Spread defaults, as upstream: two cores per socket, spread across sockets and cores.
const (
	defaultSpreadRatio = 2
	spreadAcrossSC     = "SocketsCores"
	spreadAcrossCT     = "CoresThreads"
	spreadAcrossSCT    = "SocketsCoresThreads"
)

// Topology lays out guest vCPUs as the preference asks; sockets when it says
// nothing (PreferSockets).
func Topology(guest int64, pref *instancetypev1beta1.VirtualMachinePreferenceSpec) virtv1.CPU {
	var topo instancetypev1beta1.PreferredCPUTopology
	var spread *instancetypev1beta1.SpreadOptions
	if pref != nil && pref.CPU != nil {
		if pref.CPU.PreferredCPUTopology != nil {
			topo = *pref.CPU.PreferredCPUTopology
		}
		spread = pref.CPU.SpreadOptions
	}
	switch topo {
	case instancetypev1beta1.Cores:
		return virtv1.CPU{Sockets: 1, Cores: guest, Threads: 1}
	case instancetypev1beta1.Threads:
		return virtv1.CPU{Sockets: 1, Cores: 1, Threads: guest}
	case instancetypev1beta1.Spread:
		return spreadTopology(guest, spread, pref.PreferSpreadSocketToCoreRatio)
	default:
		return virtv1.CPU{Sockets: guest, Cores: 1, Threads: 1}
	}
}

func spreadTopology(guest int64, opts *instancetypev1beta1.SpreadOptions, legacyRatio int64) virtv1.CPU {
	ratio, across := int64(defaultSpreadRatio), spreadAcrossSC
	if legacyRatio > 0 {
		ratio = legacyRatio
	}
	if opts != nil {
		if opts.Ratio > 0 {
			ratio = opts.Ratio
		}
		if opts.Across != "" {
			across = opts.Across
		}
	}
	switch {
	case across == spreadAcrossCT && guest%2 == 0:
		return virtv1.CPU{Sockets: 1, Cores: guest / 2, Threads: 2}
	case across == spreadAcrossSCT && guest%(2*ratio) == 0:
		return virtv1.CPU{Sockets: guest / (2 * ratio), Cores: ratio, Threads: 2}
	case across == spreadAcrossSC && guest%ratio == 0:
		return virtv1.CPU{Sockets: guest / ratio, Cores: ratio, Threads: 1}
	}
	return virtv1.CPU{Sockets: guest, Cores: 1, Threads: 1}
}
