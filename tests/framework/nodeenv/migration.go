package nodeenv

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"kvirt.io/kvirt/pkg/netnsdial"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	"kvirt.io/kvirt/pkg/virt-launcher/libvirtdaemon"
)

// MigrationProxy stands in for the two virt-handlers' proxy of a live
// migration from src to dst (a launcher started with --migration-target): a
// unix socket src can reach relayed to dst's libvirtd, and 127.0.0.1:port in
// src's network namespace relayed to the same port in dst's. It returns the
// socket's path (MigrateRequest.libvirt_socket): a short one outside the pod
// directories, whose host paths are too long for a socket (src's mount
// namespace sees the host's files besides its bind-mounted socket volume).
func MigrationProxy(t testing.TB, src, dst *Launcher, port uint16) string {
	t.Helper()
	dir := ShortTempDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "libvirt.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	if err := os.Chown(sock, int(src.uid), int(src.uid)); err != nil {
		t.Fatal(err)
	}
	// As virt-handler reaches a launcher's socket: through the pod volume,
	// checking that the peer is the pod's own process.
	dialer := podsocket.Dialer{PodsDir: dst.PodsDir}
	target := podsocket.Target{PodUID: dst.Target.PodUID, Socket: libvirtdaemon.SocketName, RunAsUser: dst.uid}
	go migrationproxy.Relay(context.Background(), ln, func(ctx context.Context) (net.Conn, error) {
		c, _, err := dialer.Dial(ctx, target)
		return c, err
	})
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
	tcp := src.NetNS.Listen(t, addr.String())
	go migrationproxy.Relay(context.Background(), tcp, func(ctx context.Context) (net.Conn, error) { return netnsdial.DialTCP(ctx, dst.NetNS.Path(), addr) })
	return sock
}
