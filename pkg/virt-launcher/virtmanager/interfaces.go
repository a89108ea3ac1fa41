package virtmanager

import (
	"net"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvirt.io/kvirt/pkg/virt-launcher/podnet"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// domainInterfaces lists the VMI's interfaces of a running domain. A
// masquerade (user-mode) interface is reached through the pod's address, so
// that is the address reported, as upstream does. A bridge-bound interface
// reports the pod's former address, which the guest now holds.
func domainInterfaces(xml string, podIPs []string, bound *podnet.Bound) []*launcherv1.Interface {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(xml); err != nil || dom.Devices == nil {
		return nil
	}
	var out []*launcherv1.Interface
	for _, i := range dom.Devices.Interfaces {
		if i.Alias == nil || !strings.HasPrefix(i.Alias.Name, "ua-") {
			continue
		}
		iface := &launcherv1.Interface{Name: strings.TrimPrefix(i.Alias.Name, "ua-")}
		if i.MAC != nil {
			iface.Mac = i.MAC.Address
		}
		if i.Source != nil && i.Source.User != nil {
			iface.IpAddresses = podIPs
		}
		if bound != nil && iface.Name == bound.Interface {
			iface.IpAddresses = bound.Addresses
		}
		if i.Target != nil {
			iface.InterfaceName = i.Target.Dev
		}
		iface.LinkState = "up"
		if i.Link != nil && i.Link.State == "down" {
			iface.LinkState = "down"
		}
		out = append(out, iface)
	}
	return out
}

// podIPs are the global unicast addresses of the launcher's network namespace.
func podIPs() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var v4, v6 []string
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || !ipnet.IP.IsGlobalUnicast() {
			continue
		}
		if ipnet.IP.To4() != nil {
			v4 = append(v4, ipnet.IP.String())
		} else {
			v6 = append(v6, ipnet.IP.String())
		}
	}
	return append(v4, v6...)
}
