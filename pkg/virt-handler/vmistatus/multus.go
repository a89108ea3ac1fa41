package vmistatus

import (
	"slices"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
)

const infoSourceMultus = "multus-status"

// infoSourceOrder is upstream's order of the joined infoSource values.
var infoSourceOrder = []string{infoSourceDomain, infoSourceAgent, infoSourceMultus}

// addInfoSource adds src to a joined infoSource ("domain, guest-agent"),
// keeping upstream's order and each value once.
func addInfoSource(cur, src string) string {
	have := map[string]bool{src: true}
	for _, s := range strings.Split(cur, ",") {
		if s = strings.TrimSpace(s); s != "" {
			have[s] = true
		}
	}
	var out []string
	for _, s := range infoSourceOrder {
		if have[s] {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// mergeMultusStatus adds what Multus reported in the launcher pod's
// network-status annotation: each interface on a pod or Multus network gets
// its pod interface name; one whose pod interface Multus lists gains
// multus-status as a source, and its addresses when it has none (a secondary
// interface before the domain reports it is listed from Multus alone).
func mergeMultusStatus(cur []virtv1.VirtualMachineInstanceNetworkInterface, vmi *virtv1.VirtualMachineInstance,
	netStatus map[string]multus.NetworkStatus) []virtv1.VirtualMachineInstanceNetworkInterface {
	out := slices.Clone(cur)
	for i := range vmi.Spec.Networks {
		n := &vmi.Spec.Networks[i]
		if n.Pod == nil && n.Multus == nil {
			continue
		}
		podIface := multus.PodInterfaceName(n)
		idx := slices.IndexFunc(out, func(s virtv1.VirtualMachineInstanceNetworkInterface) bool { return s.Name == n.Name })
		st, reported := netStatus[podIface]
		if idx < 0 {
			if !reported || !multus.IsSecondary(n) {
				continue
			}
			out = append(out, virtv1.VirtualMachineInstanceNetworkInterface{Name: n.Name})
			idx = len(out) - 1
		}
		s := &out[idx]
		s.PodInterfaceName = podIface
		if !reported {
			continue
		}
		s.InfoSource = addInfoSource(s.InfoSource, infoSourceMultus)
		if ips := cleanAddresses(st.IPs); len(s.IPAddresses) == 0 && len(ips) > 0 {
			s.IPAddresses, s.IPAddress = ips, ips[0]
		}
		if s.MAC == "" && multus.IsSecondary(n) {
			s.MAC = CleanString(st.MAC)
		}
	}
	return out
}
