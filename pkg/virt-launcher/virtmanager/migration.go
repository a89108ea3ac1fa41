package virtmanager

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/klog/v2"
	"libvirt.org/go/libvirt"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// migrationRecord is the state of this launcher's outgoing migration.
type migrationRecord struct {
	uid                                        string
	running, completed, failed, abortRequested bool
	failureReason                              string
	start, end                                 time.Time
}

// PrepareMigrationTarget lays the VMI out as Sync would (volumes, pod
// network) on a launcher started as a migration target, and returns the
// domain definition with this launcher's paths; the domain itself arrives
// with the migration.
func (m *Manager) PrepareMigrationTarget(vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
	podIfaces []*launcherv1.PodInterface) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.cfg.MigrationTarget {
		return "", fmt.Errorf("this launcher runs its own domain and receives no migration")
	}
	if m.name != "" && m.name != domain.Name(vmi) {
		return "", fmt.Errorf("launcher already receives %s, not %s", m.name, domain.Name(vmi))
	}
	if !m.started.IsZero() {
		return "", fmt.Errorf("%s has already arrived", m.name)
	}
	m.name, m.uid = domain.Name(vmi), string(vmi.UID)
	xml, err := m.render(vmi, acc, podIfaces)
	if err != nil {
		return "", err
	}
	m.incoming, m.podIfaces = true, podIfaces
	return xml, nil
}

// arrived records that the incoming domain runs here now.
func (m *Manager) arrived(dom *libvirt.Domain, out *launcherv1.Domain) {
	var ifaces []*launcherv1.Interface
	if live, err := dom.GetXMLDesc(0); err == nil {
		ifaces = domainInterfaces(live, m.podIfaces)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.incoming {
		return
	}
	m.incoming, m.started, m.interfaces = false, time.Now(), ifaces
	out.StartedUnixNano, out.Interfaces = m.started.UnixNano(), ifaces
}

// Migrate starts sending the running domain to the target launcher that
// answered PrepareMigrationTarget with req.TargetDomainXml, and returns. done
// runs once the migration has ended, either way.
func (m *Manager) Migrate(ctx context.Context, req *launcherv1.MigrateRequest, done func()) error {
	m.mu.Lock()
	busy := m.migration != nil && (m.migration.running || m.migration.completed)
	m.mu.Unlock()
	if busy {
		return fmt.Errorf("the domain is migrating or has migrated already")
	}
	dom, err := m.lookup()
	if err != nil {
		return err
	}
	source, err := dom.GetXMLDesc(libvirt.DOMAIN_XML_MIGRATABLE | libvirt.DOMAIN_XML_SECURE)
	if err != nil {
		_ = dom.Free()
		return fmt.Errorf("migratable domain: %w", err)
	}
	destXML, err := domain.AdoptPaths(source, req.TargetDomainXml)
	if err != nil {
		_ = dom.Free()
		return fmt.Errorf("target domain: %w", err)
	}
	plan, err := planMigration(req, destXML)
	if err != nil {
		_ = dom.Free()
		return err
	}
	if req.MaxDowntimeMs > 0 {
		// QEMU's downtime-limit, which the migration then keeps to
		if err := dom.MigrateSetMaxDowntime(req.MaxDowntimeMs, 0); err != nil {
			_ = dom.Free()
			return fmt.Errorf("set the migration's maximum downtime: %w", err)
		}
	}
	log := klog.FromContext(ctx).WithValues("domain", m.name)
	stopRelay := func() {}
	if req.LibvirtPort > 0 {
		if stopRelay, err = relayLibvirt(log, req.LibvirtSocket, req.LibvirtPort); err != nil {
			_ = dom.Free()
			return err
		}
	}
	rec := &migrationRecord{uid: req.MigrationUid, running: true, start: time.Now()}
	m.mu.Lock()
	m.migration = rec
	m.mu.Unlock()
	log.Info("migration started", "target", req.LibvirtSocket, "copyDisks", req.CopyDisks)
	go func() {
		defer func() { _ = dom.Free() }()
		err := dom.MigrateToURI3(plan.dconnURI, &plan.params, plan.flags)
		stopRelay()
		m.mu.Lock()
		rec.running, rec.end = false, time.Now()
		if err != nil {
			rec.failed, rec.failureReason = true, migrationFailure(err)
		} else {
			rec.completed = true
		}
		m.mu.Unlock()
		log.Info("migration ended", "completed", err == nil, "took", rec.end.Sub(rec.start), "reason", rec.failureReason)
		done()
	}()
	return nil
}

// migrationFailure is libvirt's message for a failed migration.
func migrationFailure(err error) string {
	var lerr libvirt.Error
	if errors.As(err, &lerr) {
		return lerr.Message
	}
	return err.Error()
}

// AbortMigration cancels the running migration; the domain carries on here.
func (m *Manager) AbortMigration() error {
	m.mu.Lock()
	rec := m.migration
	if rec == nil || !rec.running {
		m.mu.Unlock()
		return fmt.Errorf("no migration is running")
	}
	rec.abortRequested = true
	m.mu.Unlock()
	return m.withDomain("abort the migration of", func(d *libvirt.Domain) error { return d.AbortJob() })
}

// Migration reports the outgoing migration, with libvirt's figures while it
// runs.
func (m *Manager) Migration() *launcherv1.MigrationStatus {
	m.mu.Lock()
	rec := m.migration
	if rec == nil {
		m.mu.Unlock()
		return &launcherv1.MigrationStatus{None: true}
	}
	out := &launcherv1.MigrationStatus{Running: rec.running, Completed: rec.completed, Failed: rec.failed,
		FailureReason: rec.failureReason, AbortRequested: rec.abortRequested, StartUnixNano: rec.start.UnixNano(),
		Mode: "PreCopy", MigrationUid: rec.uid}
	if !rec.end.IsZero() {
		out.EndUnixNano = rec.end.UnixNano()
	}
	m.mu.Unlock()
	if out.Running {
		_ = m.withDomain("read the migration of", func(d *libvirt.Domain) error {
			info, err := d.GetJobStats(0)
			if err != nil {
				return err
			}
			out.DataProcessedBytes, out.DataRemainingBytes, out.DataTotalBytes =
				info.DataProcessed, info.DataRemaining, info.DataTotal
			if info.MemDirtyRateSet && info.MemPageSizeSet {
				out.MemoryDirtyRateBytesPerSecond = info.MemDirtyRate * info.MemPageSize
			}
			return nil
		})
	}
	return out
}
