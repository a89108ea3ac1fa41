package virtmanager

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirt"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestPlanMigration(t *testing.T) {
	base := func(mut func(*launcherv1.MigrateRequest)) *launcherv1.MigrateRequest {
		r := &launcherv1.MigrateRequest{LibvirtSocket: "/var/run/kvirt/migration/libvirt.sock", Port: 49152}
		if mut != nil {
			mut(r)
		}
		return r
	}
	tests := []struct {
		name      string
		req       *launcherv1.MigrateRequest
		wantErr   string
		wantFlags libvirt.DomainMigrateFlags
		check     func(*testing.T, migrationPlan)
	}{{
		name:      "memory only: live, peer to peer, on the pod's loopback",
		req:       base(nil),
		wantFlags: libvirt.MIGRATE_LIVE | libvirt.MIGRATE_PEER2PEER | libvirt.MIGRATE_PERSIST_DEST | libvirt.MIGRATE_ABORT_ON_ERROR,
		check: func(t *testing.T, p migrationPlan) {
			if p.dconnURI != "qemu+unix:///session?socket=/var/run/kvirt/migration/libvirt.sock" ||
				p.params.URI != "tcp://127.0.0.1:49152" || p.params.ListenAddress != "127.0.0.1" ||
				p.params.DestXML != "<domain/>" || p.params.BandwidthSet || p.params.MigrateDisksSet {
				t.Errorf("plan = %+v", p)
			}
		},
	}, {
		name: "copied disks, a bandwidth cap and auto-converge",
		req: base(func(r *launcherv1.MigrateRequest) {
			r.CopyDisks, r.DisksPort, r.BandwidthMibPerSecond, r.AllowAutoConverge = []string{"vda"}, 49153, 64, true
		}),
		wantFlags: libvirt.MIGRATE_LIVE | libvirt.MIGRATE_PEER2PEER | libvirt.MIGRATE_PERSIST_DEST |
			libvirt.MIGRATE_ABORT_ON_ERROR | libvirt.MIGRATE_AUTO_CONVERGE | libvirt.MIGRATE_NON_SHARED_INC,
		check: func(t *testing.T, p migrationPlan) {
			if p.params.Bandwidth != 64 || p.params.DisksPort != 49153 || len(p.params.MigrateDisks) != 1 {
				t.Errorf("plan = %+v", p)
			}
		},
	}, {
		name:    "relative socket",
		req:     base(func(r *launcherv1.MigrateRequest) { r.LibvirtSocket = "libvirt.sock" }),
		wantErr: "libvirt_socket",
	}, {
		name:    "no port",
		req:     base(func(r *launcherv1.MigrateRequest) { r.Port = 0 }),
		wantErr: "port 0",
	}, {
		name:    "copied disks on the memory port",
		req:     base(func(r *launcherv1.MigrateRequest) { r.CopyDisks, r.DisksPort = []string{"vda"}, 49152 }),
		wantErr: "disks_port",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planMigration(tt.req, "<domain/>")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.flags != tt.wantFlags {
				t.Errorf("flags = %b, want %b", p.flags, tt.wantFlags)
			}
			tt.check(t, p)
		})
	}
}
