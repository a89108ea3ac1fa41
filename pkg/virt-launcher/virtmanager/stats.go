package virtmanager

import (
	"kvirt.io/kvirt/pkg/virt-launcher/domstats"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// DomainStats reports libvirt's bulk stats of the domain, with each host
// network device named by the VMI interface it backs.
func (m *Manager) DomainStats() (*launcherv1.DomainStatsReply, error) {
	dom, err := m.lookup()
	if err != nil {
		return nil, err
	}
	defer func() { _ = dom.Free() }()
	m.mu.Lock()
	names := make(map[string]string, len(m.interfaces))
	for _, i := range m.interfaces {
		if i.InterfaceName != "" {
			names[i.InterfaceName] = i.Name
		}
	}
	m.mu.Unlock()
	return domstats.Read(m.conn, dom, names)
}
