package virtmanager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/klog/v2"
	"libvirt.org/go/libvirt"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
	"kvirt.io/kvirt/pkg/virt-launcher/hostdisks"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Config wires a Manager to its libvirt driver and host layout.
type Config struct {
	// URI of the launcher's private libvirt QEMU driver.
	URI string
	// RunDir holds QEMU's pid file, <domain name>.pid.
	RunDir string
	// Layout says where the VMI's volumes are.
	Layout hostdisks.Layout
	// ConsoleSocket is where QEMU listens for the serial console.
	ConsoleSocket string
	// VNCSocket is where QEMU serves the VNC display.
	VNCSocket string
	// GuestAgentSocket, if set, is the host end of the guest agent channel
	// (libvirt's default directory otherwise).
	GuestAgentSocket string
	// Emulator overrides the QEMU binary.
	Emulator string
	// Network answers DHCP on the pod interfaces virt-handler built; nil
	// serves none (the guest then configures itself).
	Network DHCPServer
	// MigrationTarget: the domain arrives through a live migration
	// (PrepareMigrationTarget); Sync starts nothing.
	MigrationTarget bool
}

// DHCPServer answers the guest's DHCP on the pod interfaces virt-handler built.
type DHCPServer interface {
	Serve(vmi *virtv1.VirtualMachineInstance, ifaces []*launcherv1.PodInterface) error
}

// Manager owns the domain of one VMI.
type Manager struct {
	cfg  Config
	conn *libvirt.Connect

	mu                sync.Mutex
	name              string
	uid               string
	failure           string
	started           time.Time
	shutdownRequested bool
	shutdownCancel    context.CancelFunc
	// shutdownDeadline is when a shutting-down domain is destroyed; a later
	// Shutdown with a shorter grace brings it forward.
	shutdownDeadline time.Time
	interfaces       []*launcherv1.Interface
	agentGeneration  uint64
	// incoming: a migration target whose domain has not arrived running yet;
	// podIfaces are the bindings its interfaces are reported against.
	incoming  bool
	podIfaces []*launcherv1.PodInterface
	// migration is this launcher's outgoing migration, nil before Migrate.
	migration *migrationRecord
}

// New connects to the driver.
func New(cfg Config) (*Manager, error) {
	conn, err := libvirt.NewConnect(cfg.URI)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.URI, err)
	}
	return &Manager{cfg: cfg, conn: conn}, nil
}

// Close ends the connection and any pending shutdown deadline.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.shutdownCancel != nil {
		m.shutdownCancel()
	}
	m.mu.Unlock()
	_, _ = m.conn.Close()
}

// Sync defines the domain from the VMI and starts it unless it already runs or
// has run: a launcher runs its VM once. podIfaces are the pod network
// bindings virt-handler built. A failure to build or start the domain is
// remembered and reported by Domain, and returned.
func (m *Manager) Sync(ctx context.Context, vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
	podIfaces []*launcherv1.PodInterface) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.name != "" && m.name != domain.Name(vmi) {
		return fmt.Errorf("launcher already runs %s, not %s", m.name, domain.Name(vmi))
	}
	if m.cfg.MigrationTarget {
		return fmt.Errorf("this launcher receives %s through a live migration and starts nothing itself", domain.Name(vmi))
	}
	m.name, m.uid = domain.Name(vmi), string(vmi.UID)
	if m.failure != "" || !m.started.IsZero() {
		return nil
	}
	if err := m.defineAndStart(ctx, vmi, acc, podIfaces); err != nil {
		m.failure = err.Error()
		return err
	}
	m.started = time.Now()
	return nil
}

func (m *Manager) defineAndStart(ctx context.Context, vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
	podIfaces []*launcherv1.PodInterface) error {
	xml, err := m.render(vmi, acc, podIfaces)
	if err != nil {
		return err
	}
	dom, err := m.conn.DomainDefineXML(xml)
	if err != nil {
		return fmt.Errorf("define domain %s: %w", m.name, err)
	}
	defer func() { _ = dom.Free() }()
	if err := dom.CreateWithFlags(startFlags(vmi)); err != nil {
		return fmt.Errorf("start domain %s: %w", m.name, err)
	}
	if live, err := dom.GetXMLDesc(0); err == nil {
		m.interfaces = domainInterfaces(live, podIfaces)
	}
	klog.FromContext(ctx).Info("domain started", "domain", m.name, "accelerator", acc,
		"paused", startPaused(vmi))
	return nil
}

// render lays out the VMI's volumes and pod network (creating what the
// launcher makes itself, such as cloud-init disks and DHCP responders) and
// returns the domain definition.
func (m *Manager) render(vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
	podIfaces []*launcherv1.PodInterface) (string, error) {
	resolved, err := hostdisks.Resolve(vmi, m.cfg.Layout)
	if err != nil {
		return "", err
	}
	cfg := domain.Config{
		Accelerator:      acc,
		Emulator:         m.cfg.Emulator,
		ConsoleSocket:    m.cfg.ConsoleSocket,
		VNCSocket:        m.cfg.VNCSocket,
		GuestAgentSocket: m.cfg.GuestAgentSocket,
		Volumes:          resolved.Volumes,
		KernelPath:       resolved.KernelPath,
		InitrdPath:       resolved.InitrdPath,
	}
	vmi, err = m.bindNetwork(vmi, podIfaces, &cfg)
	if err != nil {
		return "", err
	}
	return domain.RenderXML(vmi, cfg)
}

// startPaused reports whether the VMI asks to start with its vCPUs stopped
// (spec.startStrategy: Paused): QEMU runs, the guest does not until unpaused.
func startPaused(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi.Spec.StartStrategy != nil && *vmi.Spec.StartStrategy == virtv1.StartStrategyPaused
}

func startFlags(vmi *virtv1.VirtualMachineInstance) libvirt.DomainCreateFlags {
	if startPaused(vmi) {
		return libvirt.DOMAIN_START_PAUSED
	}
	return libvirt.DOMAIN_NONE
}

// bindNetwork hands each pod interface's tap to the domain, gives the guest
// NIC the MAC its lease is for, and starts the DHCP responders. It returns the
// VMI to render.
func (m *Manager) bindNetwork(vmi *virtv1.VirtualMachineInstance, podIfaces []*launcherv1.PodInterface,
	cfg *domain.Config) (*virtv1.VirtualMachineInstance, error) {
	if len(podIfaces) == 0 {
		return vmi, nil
	}
	vmi = vmi.DeepCopy()
	cfg.Taps = map[string]string{}
	for _, pi := range podIfaces {
		cfg.Taps[pi.Name] = pi.Tap
		for i := range vmi.Spec.Domain.Devices.Interfaces {
			if iface := &vmi.Spec.Domain.Devices.Interfaces[i]; iface.Name == pi.Name {
				iface.MACAddress = pi.Mac
			}
		}
	}
	if m.cfg.Network != nil {
		if err := m.cfg.Network.Serve(vmi, podIfaces); err != nil {
			return nil, err
		}
	}
	return vmi, nil
}

func (m *Manager) lookup() (*libvirt.Domain, error) {
	m.mu.Lock()
	name := m.name
	m.mu.Unlock()
	if name == "" {
		return nil, fmt.Errorf("no domain defined yet")
	}
	dom, err := m.conn.LookupDomainByName(name)
	if err != nil {
		return nil, fmt.Errorf("look up domain %s: %w", name, err)
	}
	return dom, nil
}

func (m *Manager) withDomain(what string, fn func(*libvirt.Domain) error) error {
	dom, err := m.lookup()
	if err != nil {
		return err
	}
	defer func() { _ = dom.Free() }()
	if err := fn(dom); err != nil {
		return fmt.Errorf("%s domain: %w", what, err)
	}
	return nil
}

// AgentChanged records that the guest agent's report changed; the domain
// report carries the count so that watchers see it.
func (m *Manager) AgentChanged() {
	m.mu.Lock()
	m.agentGeneration++
	m.mu.Unlock()
}

// Pause suspends the guest's vCPUs.
func (m *Manager) Pause() error {
	return m.withDomain("pause", func(d *libvirt.Domain) error { return d.Suspend() })
}

// Unpause resumes the guest's vCPUs.
func (m *Manager) Unpause() error {
	return m.withDomain("unpause", func(d *libvirt.Domain) error { return d.Resume() })
}

// SoftReboot asks the guest to reboot through ACPI.
func (m *Manager) SoftReboot() error {
	return m.withDomain("reboot", func(d *libvirt.Domain) error { return d.Reboot(libvirt.DOMAIN_REBOOT_ACPI_POWER_BTN) })
}

// Reset hard-resets the guest, as pressing a reset button would: the same QEMU
// process starts the guest's firmware again, without a shutdown.
func (m *Manager) Reset() error {
	return m.withDomain("reset", func(d *libvirt.Domain) error { return d.Reset(0) })
}

// Kill destroys the domain at once.
func (m *Manager) Kill() error {
	return m.withDomain("kill", destroy)
}

func destroy(d *libvirt.Domain) error {
	err := d.Destroy()
	var lerr libvirt.Error
	if errors.As(err, &lerr) && lerr.Code == libvirt.ERR_OPERATION_INVALID {
		return nil // not running
	}
	return err
}

// Domain reports the domain; nil before the first Sync.
func (m *Manager) Domain() (*launcherv1.Domain, error) {
	m.mu.Lock()
	out := &launcherv1.Domain{Name: m.name, Uid: m.uid, Failure: m.failure, ShutdownRequested: m.shutdownRequested,
		Interfaces: m.interfaces, GuestAgentGeneration: m.agentGeneration}
	if !m.started.IsZero() {
		out.StartedUnixNano = m.started.UnixNano()
	}
	incoming := m.incoming
	m.mu.Unlock()
	if out.Name == "" {
		return nil, nil
	}
	if out.Failure != "" {
		out.State, out.Reason = StateShutoff, ReasonFailed
		return out, nil
	}
	dom, err := m.lookup()
	if err != nil {
		if incoming { // the migration has not defined it here yet
			out.State, out.Reason = StateNoState, ReasonMigrating
			return out, nil
		}
		return nil, err
	}
	defer func() { _ = dom.Free() }()
	state, reason, err := dom.GetState()
	if err != nil {
		return nil, fmt.Errorf("get domain state: %w", err)
	}
	out.State, out.Reason = stateName(state), reasonName(state, reason)
	if state != libvirt.DOMAIN_SHUTOFF {
		out.QemuPid = m.qemuPID()
	}
	if incoming && state == libvirt.DOMAIN_RUNNING {
		m.arrived(dom, out)
	}
	return out, nil
}

func (m *Manager) qemuPID() int64 {
	raw, err := os.ReadFile(filepath.Join(m.cfg.RunDir, m.name+".pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	return pid
}

// Stats reports CPU time and memory of the running domain.
func (m *Manager) Stats() (*launcherv1.DomainStatsResponse, error) {
	dom, err := m.lookup()
	if err != nil {
		return nil, err
	}
	defer func() { _ = dom.Free() }()
	info, err := dom.GetInfo()
	if err != nil {
		return nil, fmt.Errorf("get domain info: %w", err)
	}
	out := &launcherv1.DomainStatsResponse{CpuTimeNs: info.CpuTime, MemoryActualKib: info.Memory, Vcpus: int64(info.NrVirtCpu)}
	if stats, err := dom.MemoryStats(uint32(libvirt.DOMAIN_MEMORY_STAT_NR), 0); err == nil {
		for _, s := range stats {
			if s.Tag == int32(libvirt.DOMAIN_MEMORY_STAT_RSS) {
				out.MemoryRssKib = s.Val
			}
		}
	}
	return out, nil
}

// Undefine removes the (stopped) domain definition.
func (m *Manager) Undefine() error {
	return m.withDomain("undefine", func(d *libvirt.Domain) error { return d.Undefine() })
}
