package vmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"k8s.io/apimachinery/pkg/labels"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/netnsdial"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/migration"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
)

// AuthorizeMigration is the target's migrationproxy.Authorizer: the handler
// of peerNode may open a stream of a migration that comes to this node from
// peerNode and that this node has prepared; the stream's local end is the
// target launcher's (its prepared domain, its libvirtd's socket, or its
// QEMU's loopback ports). Everything else is refused.
func (c *Controller) AuthorizeMigration(ctx context.Context, peerNode string, h migrationproxy.Header) (migrationproxy.Opener, error) {
	vmi, err := c.incoming(h.MigrationUID)
	if err != nil {
		return nil, err
	}
	if src := vmi.Status.MigrationState.SourceNode; src != peerNode {
		return nil, fmt.Errorf("migration %s comes from %s, not from %s", h.MigrationUID, src, peerNode)
	}
	rec, found, err := c.cfg.Store.Get(string(vmi.UID))
	if err != nil {
		return nil, err
	}
	if !found || rec.Migration == nil || rec.Migration.UID != h.MigrationUID {
		return nil, fmt.Errorf("migration %s: the target is not prepared yet", h.MigrationUID)
	}
	if h.Stream == migrationproxy.StreamDomain {
		return migrationproxy.Bytes([]byte(rec.Migration.DomainXML)), nil
	}
	pod, err := c.pods.live(vmi.Namespace, vmi.UID)
	if err != nil {
		return nil, err
	}
	switch h.Stream {
	case migrationproxy.StreamLibvirt:
		runAs, ok := runAsUser(pod)
		if !ok {
			return nil, fmt.Errorf("target pod %s sets no runAsUser", pod.Name)
		}
		t := podsocket.Target{PodUID: pod.UID, Socket: targetLibvirtSocket, RunAsUser: runAs}
		return func(ctx context.Context) (net.Conn, error) {
			conn, _, err := c.cfg.Dialer.Dial(ctx, t)
			return conn, err
		}, nil
	case migrationproxy.StreamMemory, migrationproxy.StreamDisks:
		cl, err := c.launcher(ctx, vmi.Namespace, vmi.UID)
		if err != nil {
			return nil, err
		}
		port := uint16(migrationMemoryPort)
		if h.Stream == migrationproxy.StreamDisks {
			port = migrationDisksPort
		}
		ns, addr := netnsdial.Path(cl.Peer.PID), netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port)
		return func(ctx context.Context) (net.Conn, error) { return netnsdial.DialTCP(ctx, ns, addr) }, nil
	}
	return nil, fmt.Errorf("unknown stream %q", h.Stream)
}

// incoming is the VMI whose migration uid comes to this node.
func (c *Controller) incoming(uid string) (*virtv1.VirtualMachineInstance, error) {
	if uid == "" {
		return nil, errors.New("no migration named")
	}
	vmis, err := c.targets.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	for _, vmi := range vmis {
		st := vmi.Status.MigrationState
		if st != nil && st.MigrationUID == uid && migration.RoleOf(vmi, c.cfg.NodeName) == migration.RoleTarget {
			return vmi, nil
		}
	}
	return nil, fmt.Errorf("no migration %s comes to this node", uid)
}
