package launcherclient

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Client is a connection to one launcher at a negotiated protocol version.
type Client struct {
	launcherv1.LauncherClient
	conn *grpc.ClientConn
	// Version is the protocol version both sides speak.
	Version uint32
	// Build is the launcher's build version.
	Build string
	// Pid is the launcher's process id as the launcher reports it (in its own
	// pid namespace; informational only).
	Pid int64
	// PeerPid is the launcher's pid from SO_PEERCRED of the connection, in this
	// process's pid namespace: 0 when the launcher's namespace is not visible.
	PeerPid int32
	// PeerUID is the uid the kernel reports for the launcher's socket.
	PeerUID uint32
}

// Dial connects to the socket and pings the launcher. Its error says, for
// Refused and Absent, whether nothing listens on the socket or there is none.
func Dial(ctx context.Context, socket string) (*Client, error) {
	if _, err := os.Stat(socket); err != nil {
		return nil, fmt.Errorf("launcher socket: %w", err)
	}
	dialer := &peerDialer{socket: socket}
	conn, err := grpc.NewClient("passthrough:///launcher", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dialer.dial))
	if err != nil {
		return nil, fmt.Errorf("connect to launcher %s: %w", socket, err)
	}
	c := &Client{LauncherClient: launcherv1.NewLauncherClient(conn), conn: conn}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Ping(pctx, &launcherv1.PingRequest{Versions: launcherv1.SupportedVersions()})
	if err != nil {
		_ = conn.Close()
		if _, dialErr := dialer.peer(); dialErr != nil {
			err = dialErr
		}
		return nil, fmt.Errorf("ping launcher %s: %w", socket, err)
	}
	c.Version = launcherv1.Negotiate(launcherv1.SupportedVersions(), resp.Versions)
	if c.Version == 0 {
		_ = conn.Close()
		return nil, fmt.Errorf("launcher %s speaks protocol versions %v, this handler %v",
			socket, resp.Versions, launcherv1.SupportedVersions())
	}
	c.Build, c.Pid = resp.BuildVersion, resp.Pid
	if cred, _ := dialer.peer(); cred != nil {
		c.PeerPid, c.PeerUID = cred.Pid, cred.Uid
	}
	return c, nil
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
		return fmt.Errorf("%s", res.Message)
	}
	return nil
}
