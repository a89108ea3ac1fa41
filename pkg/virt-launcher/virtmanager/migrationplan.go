package virtmanager

import (
	"fmt"
	"path/filepath"

	"libvirt.org/go/libvirt"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// migrationLoopback is where, in each pod's network namespace, the target's
// QEMU listens for the migration streams and the source's connects (to
// virt-handler's proxy): nothing outside the pod reaches either end.
const migrationLoopback = "127.0.0.1"

// migrationPlan is libvirt's part of a migration request: the target
// libvirt's URI (peer to peer), the parameters and the flags. destXML is the
// definition the target starts.
type migrationPlan struct {
	dconnURI string
	params   libvirt.DomainMigrateParameters
	flags    libvirt.DomainMigrateFlags
}

// planMigration checks the request and turns it into a plan: live, peer to
// peer, the target domain persistent like a started one, the disks named in
// copy_disks copied (their top image; backing files are on both sides).
func planMigration(req *launcherv1.MigrateRequest, destXML string) (migrationPlan, error) {
	if !filepath.IsAbs(req.LibvirtSocket) {
		return migrationPlan{}, fmt.Errorf("libvirt_socket %q: must be an absolute path", req.LibvirtSocket)
	}
	if req.Port == 0 || req.Port > 65535 {
		return migrationPlan{}, fmt.Errorf("port %d: must be a TCP port", req.Port)
	}
	p := migrationPlan{
		dconnURI: "qemu+unix:///session?socket=" + req.LibvirtSocket,
		params: libvirt.DomainMigrateParameters{
			URISet: true, URI: fmt.Sprintf("tcp://%s:%d", migrationLoopback, req.Port),
			ListenAddressSet: true, ListenAddress: migrationLoopback,
			DestXMLSet: true, DestXML: destXML,
		},
		flags: libvirt.MIGRATE_LIVE | libvirt.MIGRATE_PEER2PEER | libvirt.MIGRATE_PERSIST_DEST |
			libvirt.MIGRATE_ABORT_ON_ERROR,
	}
	if req.BandwidthMibPerSecond > 0 {
		p.params.BandwidthSet, p.params.Bandwidth = true, req.BandwidthMibPerSecond
	}
	if req.AllowAutoConverge {
		p.flags |= libvirt.MIGRATE_AUTO_CONVERGE
	}
	if len(req.CopyDisks) > 0 {
		if req.DisksPort == 0 || req.DisksPort > 65535 || req.DisksPort == req.Port {
			return migrationPlan{}, fmt.Errorf("disks_port %d: must be a TCP port other than port", req.DisksPort)
		}
		p.flags |= libvirt.MIGRATE_NON_SHARED_INC
		p.params.MigrateDisksSet, p.params.MigrateDisks = true, append([]string(nil), req.CopyDisks...)
		p.params.DisksPortSet, p.params.DisksPort = true, int(req.DisksPort)
	}
	return p, nil
}
