package virtmanager

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/klog/v2"
	"libvirt.org/go/libvirt"
)

// eventLoop guards libvirt's event implementation, which is process-wide and
// must be registered before the first connection is opened.
var eventLoop sync.Once

// StartEvents registers libvirt's default event loop and runs it until ctx
// ends, so that connections opened afterwards deliver domain events (the
// guest agent's lifecycle). Call it once, before New.
func StartEvents(ctx context.Context) error {
	var err error
	eventLoop.Do(func() {
		if err = libvirt.EventRegisterDefaultImpl(); err != nil {
			err = fmt.Errorf("register libvirt event loop: %w", err)
			return
		}
		// A periodic timeout wakes the loop so that it sees ctx end.
		if _, err = libvirt.EventAddTimeout(1000, func(int) {}); err != nil {
			err = fmt.Errorf("add libvirt event timeout: %w", err)
			return
		}
		go func() {
			for ctx.Err() == nil {
				if rerr := libvirt.EventRunDefaultImpl(); rerr != nil {
					klog.FromContext(ctx).Error(rerr, "libvirt event loop")
					time.Sleep(time.Second)
				}
			}
		}()
	})
	return err
}

// OnAgentLifecycle calls fn whenever the guest agent of a domain on this
// connection connects or disconnects. It needs StartEvents.
func (m *Manager) OnAgentLifecycle(fn func(connected bool)) error {
	_, err := m.conn.DomainEventAgentLifecycleRegister(nil,
		func(_ *libvirt.Connect, _ *libvirt.Domain, ev *libvirt.DomainEventAgentLifecycle) {
			fn(ev.State == libvirt.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED)
		})
	if err != nil {
		return fmt.Errorf("watch guest agent lifecycle: %w", err)
	}
	return nil
}

// AgentCommand sends one guest agent command through libvirt and returns the
// agent's reply.
func (m *Manager) AgentCommand(cmd string, timeout time.Duration) (string, error) {
	dom, err := m.lookup()
	if err != nil {
		return "", err
	}
	defer func() { _ = dom.Free() }()
	secs := int(timeout / time.Second)
	if secs < 1 {
		secs = 1
	}
	out, err := dom.QemuAgentCommand(cmd, libvirt.DomainQemuAgentCommandTimeout(secs), 0)
	if err != nil {
		return "", fmt.Errorf("guest agent command: %w", err)
	}
	return out, nil
}
