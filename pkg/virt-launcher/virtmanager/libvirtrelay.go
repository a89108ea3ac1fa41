package virtmanager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/netrelay"
)

// relayLibvirt serves socket (in this launcher's own socket directory) for
// its libvirt's connection to the target's libvirtd and relays each
// connection to 127.0.0.1:port in the pod's network namespace, where
// virt-handler listens; stop closes the listener and removes the socket.
func relayLibvirt(log logr.Logger, socket string, port uint32) (stop func(), err error) {
	if port > 65535 {
		return nil, fmt.Errorf("libvirt_port %d: must be a TCP port", port)
	}
	if err := os.Remove(socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove stale %s: %w", socket, err)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("serve %s: %w", socket, err)
	}
	addr := net.JoinHostPort(migrationLoopback, strconv.Itoa(int(port)))
	ctx := klog.NewContext(context.Background(), log)
	var d net.Dialer
	go netrelay.Relay(ctx, ln, func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) })
	return func() { _ = ln.Close() }, nil
}
