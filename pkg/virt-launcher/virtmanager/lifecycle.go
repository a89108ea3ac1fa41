package virtmanager

import (
	"fmt"

	"libvirt.org/go/libvirt"
)

// OnLifecycle calls fn on every libvirt lifecycle event of a domain on this
// connection (defined, started, suspended, resumed, stopped, shut down,
// crashed...): the launcher reads the domain's state then instead of polling.
// It needs StartEvents; fn runs on libvirt's event loop and must not block.
func (m *Manager) OnLifecycle(fn func()) error {
	_, err := m.conn.DomainEventLifecycleRegister(nil,
		func(_ *libvirt.Connect, _ *libvirt.Domain, _ *libvirt.DomainEventLifecycle) { fn() })
	if err != nil {
		return fmt.Errorf("watch domain lifecycle: %w", err)
	}
	return nil
}
