package launcherclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"kvirt.io/kvirt/pkg/podsocket"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// DialFunc connects to the launcher's command socket and reports who listens
// on it. It is called again whenever the connection must be re-established,
// so every connection passes the same checks.
type DialFunc func(ctx context.Context) (net.Conn, podsocket.Peer, error)

// Client is a connection to one launcher at a negotiated protocol version.
type Client struct {
	launcherv1.LauncherClient
	conn *grpc.ClientConn
	// Version is the protocol version both sides speak.
	Version uint32
	// Build is the launcher's build version.
	Build string
	// Pid is the launcher's process id as the launcher reports it (in its pod's
	// pid namespace).
	Pid int64
	// Peer is the process listening on the socket, from SO_PEERCRED in the
	// handler's (host) pid namespace: the launcher process itself.
	Peer podsocket.Peer
}

// Dial connects through dial, pings the launcher and checks that it speaks a
// version with an identity and serves vmiUID. A launcher that names no or
// another VMI is refused with an error matching podsocket.ErrRefused.
func Dial(ctx context.Context, dial DialFunc, vmiUID string) (*Client, error) {
	first, peer, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	dialer := func(ctx context.Context, _ string) (net.Conn, error) {
		mu.Lock()
		conn := first
		first = nil
		mu.Unlock()
		if conn != nil {
			return conn, nil
		}
		conn, _, err := dial(ctx)
		return conn, err
	}
	conn, err := grpc.NewClient("passthrough:///launcher", grpc.WithContextDialer(dialer),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		mu.Lock()
		if first != nil {
			_ = first.Close()
		}
		mu.Unlock()
		return nil, fmt.Errorf("connect to launcher: %w", err)
	}
	c := &Client{LauncherClient: launcherv1.NewLauncherClient(conn), conn: conn, Peer: peer}
	if err := c.ping(ctx, vmiUID); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) ping(ctx context.Context, vmiUID string) error {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Ping(pctx, &launcherv1.PingRequest{Versions: launcherv1.SupportedVersions()})
	if err != nil {
		return fmt.Errorf("ping launcher: %w", err)
	}
	c.Version = launcherv1.Negotiate(launcherv1.SupportedVersions(), resp.Versions)
	if c.Version < launcherv1.VersionIdentity {
		return fmt.Errorf("launcher pid %d speaks protocol versions %v, this handler needs %d or later: %w",
			c.Peer.PID, resp.Versions, launcherv1.VersionIdentity, podsocket.ErrRefused)
	}
	if resp.VmiUid != vmiUID {
		return fmt.Errorf("launcher pid %d serves VMI %q, not %s: %w", c.Peer.PID, resp.VmiUid, vmiUID,
			podsocket.ErrRefused)
	}
	c.Build, c.Pid = resp.BuildVersion, resp.Pid
	return nil
}

// Close ends the connection.
func (c *Client) Close() error {
	return c.conn.Close()
}

// Check turns a command result into an error.
func Check(res *launcherv1.Result, err error) error {
	if err != nil {
		return err
	}
	if !res.Success {
		return errors.New(res.Message)
	}
	return nil
}
