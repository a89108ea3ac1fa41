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
	// Pid is the launcher's process id.
	Pid int64
}

// Dial connects to the socket and pings the launcher.
func Dial(ctx context.Context, socket string) (*Client, error) {
	if _, err := os.Stat(socket); err != nil {
		return nil, fmt.Errorf("launcher socket: %w", err)
	}
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connect to launcher %s: %w", socket, err)
	}
	c := &Client{LauncherClient: launcherv1.NewLauncherClient(conn), conn: conn}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Ping(pctx, &launcherv1.PingRequest{Versions: launcherv1.SupportedVersions()})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("ping launcher %s: %w", socket, err)
	}
	c.Version = launcherv1.Negotiate(launcherv1.SupportedVersions(), resp.Versions)
	if c.Version == 0 {
		_ = conn.Close()
		return nil, fmt.Errorf("launcher %s speaks protocol versions %v, this handler %v",
			socket, resp.Versions, launcherv1.SupportedVersions())
	}
	c.Build, c.Pid = resp.BuildVersion, resp.Pid
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
