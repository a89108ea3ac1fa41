package virtmanager

import (
	"context"
	"errors"
	"time"

	"k8s.io/klog/v2"
	"libvirt.org/go/libvirt"
)

// Shutdown presses the ACPI power button and destroys the domain if it still
// runs after grace. It returns once the button was pressed; the deadline runs
// until ctx ends. Calling it again with a shorter grace brings the deadline
// forward (a forced stop after a graceful one); a longer one changes nothing.
// A grace of 0 destroys the domain at once, and so does a paused domain: its
// guest cannot see the button, so waiting would only burn the grace period.
func (m *Manager) Shutdown(ctx context.Context, grace time.Duration) error {
	log := klog.FromContext(ctx)
	paused, err := m.paused()
	if err != nil {
		return err
	}
	if grace <= 0 || paused {
		log.Info("destroying domain without a graceful shutdown", "grace", grace, "paused", paused)
		m.mu.Lock()
		m.shutdownRequested = true
		m.mu.Unlock()
		return m.Kill()
	}
	deadline := time.Now().Add(grace)
	m.mu.Lock()
	if m.shutdownRequested {
		if deadline.Before(m.shutdownDeadline) {
			log.Info("shutdown deadline brought forward", "grace", grace)
			m.shutdownDeadline = deadline
		}
		m.mu.Unlock()
		return nil
	}
	m.shutdownRequested, m.shutdownDeadline = true, deadline
	dctx, cancel := context.WithCancel(ctx)
	m.shutdownCancel = cancel
	m.mu.Unlock()
	err = m.withDomain("shut down", func(d *libvirt.Domain) error {
		err := d.ShutdownFlags(libvirt.DOMAIN_SHUTDOWN_ACPI_POWER_BTN)
		var lerr libvirt.Error
		if errors.As(err, &lerr) && lerr.Code == libvirt.ERR_OPERATION_INVALID {
			return nil
		}
		return err
	})
	go m.enforceGrace(dctx)
	return err
}

// paused reports whether the domain's vCPUs are suspended.
func (m *Manager) paused() (bool, error) {
	var paused bool
	err := m.withDomain("inspect", func(d *libvirt.Domain) error {
		state, _, err := d.GetState()
		paused = state == libvirt.DOMAIN_PAUSED
		return err
	})
	return paused, err
}

// enforceGrace destroys the domain once the shutdown deadline passed, unless it
// stopped by itself first. The deadline is read on every tick, so a shorter
// grace from a later Shutdown applies at once.
func (m *Manager) enforceGrace(ctx context.Context) {
	log := klog.FromContext(ctx)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if d, err := m.Domain(); err == nil && d != nil && d.State == StateShutoff {
				return
			}
			m.mu.Lock()
			deadline := m.shutdownDeadline
			m.mu.Unlock()
			if now.Before(deadline) {
				continue
			}
			log.Info("grace period over, destroying domain")
			if err := m.Kill(); err != nil {
				log.Error(err, "destroy domain after grace period")
			}
			return
		}
	}
}
