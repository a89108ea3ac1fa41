package vmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/netnsdial"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/migration"
	"kvirt.io/kvirt/pkg/virt-handler/migrationmetrics"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Where a migration's streams meet the launchers (the launcher pod's layout,
// rendered by virt-controller's launcherpod package): the sockets volume is
// mounted at launcherSocketDir; the source launcher serves
// migrationSocketName there for its libvirt and relays it to
// migrationLibvirtPort; the handlers relay that port and the QEMUs' loopback
// ports in each pod's network namespace. The target's libvirtd listens on
// targetLibvirtSocket in the target pod's volume.
const (
	launcherSocketDir    = "/var/run/kvirt"
	migrationSocketName  = "migration-libvirt.sock"
	targetLibvirtSocket  = "libvirt-sock"
	migrationLibvirtPort = 49151
	migrationMemoryPort  = 49152
	migrationDisksPort   = 49153
)

// syncSource drives this node's half of a migration leaving it: it starts
// the launcher's migration through relays to the target's handler, aborts it
// when asked or stuck, and reports how it went. The caller stores rec.
func (c *Controller) syncSource(ctx context.Context, vmi *virtv1.VirtualMachineInstance, rec *statestore.Record) (time.Duration, error) {
	st := vmi.Status.MigrationState
	if rec.Migration == nil || rec.Migration.UID != st.MigrationUID {
		rec.Migration = &statestore.Migration{UID: st.MigrationUID}
	}
	m := rec.Migration
	obs := migration.SourceObserved{AbortReason: m.AbortReason, GuestBytes: migration.GuestBytes(vmi)}
	obs.DomainMigrated = migrated(rec.GetDomain()) || migrated(c.lastReport(rec.UID))
	pod, _ := c.pods.live(vmi.Namespace, vmi.UID)
	var cl *launcherclient.Client
	if pod != nil {
		obs.Pod = pod.Name
		if l, err := c.launcher(ctx, vmi.Namespace, vmi.UID); err == nil {
			cl = l
			rctx, cancel := context.WithTimeout(ctx, getDomainTimeout)
			obs.Migration, _ = cl.GetMigration(rctx, &launcherv1.Empty{})
			cancel()
			obs.Migration = migration.Of(obs.Migration, st.MigrationUID)
		}
	}
	c.noteProgress(vmi, obs.Migration)
	m.Remaining, m.ProgressAt = migration.Track(m.Remaining, m.ProgressAt, obs.Migration, time.Now())
	obs.Progress = m.ProgressAt
	step := migration.Source(vmi, obs, metav1.Now())
	var err error
	switch step.Action {
	case migration.SourceStart:
		err = c.startMigration(ctx, cl, vmi, pod)
	case migration.SourceAbort:
		klog.FromContext(ctx).Info("aborting the migration", "vmi", klog.KObj(vmi), "migration", m.UID, "reason", step.AbortReason)
		m.AbortReason = step.AbortReason
		err = launcherclient.Check(cl.AbortMigration(ctx, &launcherv1.Empty{}))
	case migration.SourceReport:
		if step.State.Completed || step.State.Failed {
			c.closeRelays(rec.UID)
			klog.FromContext(ctx).Info("migration ended", "vmi", klog.KObj(vmi), "migration", m.UID,
				"completed", step.State.Completed, "reason", step.State.FailureReason)
		}
		err = c.patchMigrationState(ctx, vmi, step.State, sourceFields, false)
	}
	return migrationWait, err
}

// startMigration fetches the target's prepared domain, opens the relays in
// the source pod and asks the launcher to migrate.
func (c *Controller) startMigration(ctx context.Context, cl *launcherclient.Client, vmi *virtv1.VirtualMachineInstance,
	pod *corev1.Pod) error {
	st := vmi.Status.MigrationState
	if cl == nil || pod == nil || c.cfg.Migrations == nil {
		return errors.New("cannot start the migration: no source launcher, or this handler has no migration certificate")
	}
	addr, err := targetAddress(st)
	if err != nil {
		return err
	}
	xml, err := c.cfg.Migrations.Fetch(ctx, addr, st.TargetNode, st.MigrationUID)
	if err != nil {
		return err
	}
	copyDisks, err := migration.CopyDisks(vmi, xml)
	if err != nil {
		return err
	}
	if err := c.openRelays(ctx, vmi, cl.Peer.PID, addr); err != nil {
		return err
	}
	req := &launcherv1.MigrateRequest{TargetDomainXml: string(xml),
		MigrationUid: st.MigrationUID, LibvirtSocket: path.Join(launcherSocketDir, migrationSocketName), LibvirtPort: migrationLibvirtPort,
		Port: migrationMemoryPort, DisksPort: migrationDisksPort, CopyDisks: copyDisks}
	if cfg := st.MigrationConfiguration; cfg != nil {
		req.BandwidthMibPerSecond = bandwidthMiB(cfg)
		req.AllowAutoConverge = cfg.AllowAutoConverge
		if cfg.MaxDowntimeMS > 0 {
			req.MaxDowntimeMs = uint64(cfg.MaxDowntimeMS)
		}
	}
	klog.FromContext(ctx).Info("starting the migration", "vmi", klog.KObj(vmi), "migration", st.MigrationUID,
		"to", st.TargetNode, "address", addr, "copyDisks", copyDisks, "bandwidthMiB", req.BandwidthMibPerSecond)
	if err := launcherclient.Check(cl.Migrate(ctx, req)); err != nil {
		c.closeRelays(string(vmi.UID))
		return fmt.Errorf("start the migration: %w", err)
	}
	return nil
}

// targetAddress is where the target's handler relays the migration: its
// published address and its one relay port.
func targetAddress(st *virtv1.VirtualMachineInstanceMigrationState) (string, error) {
	for port := range st.TargetDirectMigrationNodePorts {
		return net.JoinHostPort(st.TargetNodeAddress, port), nil
	}
	return "", fmt.Errorf("the target %s published no migration port", st.TargetNode)
}

// bandwidthMiB is bandwidthPerMigration in MiB/s, rounded up; 0 is no cap.
func bandwidthMiB(cfg *virtv1.VMIMConfigurationOptions) uint64 {
	if cfg.BandwidthPerMigration == nil || cfg.BandwidthPerMigration.Value() <= 0 {
		return 0
	}
	const mib = 1 << 20
	return uint64((cfg.BandwidthPerMigration.Value() + mib - 1) / mib)
}

// relaySet is one migration's listeners in the source pod.
type relaySet struct {
	listeners []net.Listener
	cancel    context.CancelFunc
}

// openRelays serves the source pod's ends of the streams, loopback ports in
// its network namespace (the launcher's libvirt relay connects to the first,
// its QEMU to the others), each relayed to the target's handler over mutual
// TLS.
func (c *Controller) openRelays(ctx context.Context, vmi *virtv1.VirtualMachineInstance, pid int32, addr string) error {
	uid := string(vmi.UID)
	c.closeRelays(uid)
	st := vmi.Status.MigrationState
	rctx, cancel := context.WithCancel(c.base)
	set := &relaySet{cancel: cancel}
	fail := func(err error) error {
		set.close()
		return err
	}
	ns := netnsdial.Path(pid)
	for _, port := range []uint16{migrationLibvirtPort, migrationMemoryPort, migrationDisksPort} {
		ln, err := netnsdial.ListenTCP(ns, netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port))
		if err != nil {
			return fail(err)
		}
		set.listeners = append(set.listeners, ln)
	}
	streams := []migrationproxy.Stream{migrationproxy.StreamLibvirt, migrationproxy.StreamMemory, migrationproxy.StreamDisks}
	lctx := klog.NewContext(rctx, klog.FromContext(ctx).WithValues("vmi", klog.KObj(vmi), "migration", st.MigrationUID))
	for i, ln := range set.listeners {
		h := migrationproxy.Header{MigrationUID: st.MigrationUID, Stream: streams[i]}
		go migrationproxy.Relay(lctx, ln, func(ctx context.Context) (net.Conn, error) {
			return c.cfg.Migrations.Dial(ctx, addr, st.TargetNode, h)
		})
	}
	c.mu.Lock()
	c.relays[uid] = set
	c.mu.Unlock()
	return nil
}

func (s *relaySet) close() {
	s.cancel()
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
}

// noteProgress keeps a running migration's last figures for the metrics.
func (c *Controller) noteProgress(vmi *virtv1.VirtualMachineInstance, st *launcherv1.MigrationStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st == nil || !st.Running {
		delete(c.sending, string(vmi.UID))
		return
	}
	c.sending[string(vmi.UID)] = migrationmetrics.Progress{Namespace: vmi.Namespace, Name: vmi.Name,
		Processed: st.DataProcessedBytes, Remaining: st.DataRemainingBytes, Total: st.DataTotalBytes,
		DirtyRate: st.MemoryDirtyRateBytesPerSecond}
}

// Migrations are the running migrations this node sends, as last read
// (migrationmetrics.Source).
func (c *Controller) Migrations() []migrationmetrics.Progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]migrationmetrics.Progress, 0, len(c.sending))
	for _, p := range c.sending {
		out = append(out, p)
	}
	return out
}

// closeRelays ends a VMI's migration relays, if any.
func (c *Controller) closeRelays(uid string) {
	c.mu.Lock()
	set := c.relays[uid]
	delete(c.relays, uid)
	delete(c.sending, uid)
	c.mu.Unlock()
	if set != nil {
		set.close()
	}
}

// closeAllRelays ends every migration relay (the controller stops).
func (c *Controller) closeAllRelays() {
	c.mu.Lock()
	sets := c.relays
	c.relays, c.sending = map[string]*relaySet{}, map[string]migrationmetrics.Progress{}
	c.mu.Unlock()
	for _, set := range sets {
		set.close()
	}
}
