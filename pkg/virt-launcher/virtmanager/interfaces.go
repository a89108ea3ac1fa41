package virtmanager

import (
	"strings"

	"libvirt.org/go/libvirtxml"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// domainInterfaces lists the VMI's interfaces of a running domain with the
// addresses virt-handler said to report: the pod's for masquerade (the guest is
// reached through it, as upstream reports), the guest's for bridge (the pod's
// former address).
func domainInterfaces(xml string, podIfaces []*launcherv1.PodInterface) []*launcherv1.Interface {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(xml); err != nil || dom.Devices == nil {
		return nil
	}
	addrs := map[string][]string{}
	for _, pi := range podIfaces {
		addrs[pi.Name] = pi.StatusAddresses
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
		iface.IpAddresses = addrs[iface.Name]
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
