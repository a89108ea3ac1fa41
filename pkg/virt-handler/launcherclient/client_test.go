package launcherclient

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"

	"kvirt.io/kvirt/pkg/podsocket"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

type pinger struct {
	launcherv1.UnimplementedLauncherServer
	resp *launcherv1.PingResponse
}

func (p pinger) Ping(context.Context, *launcherv1.PingRequest) (*launcherv1.PingResponse, error) {
	return p.resp, nil
}

func serve(t *testing.T, resp *launcherv1.PingResponse) DialFunc {
	t.Helper()
	dir, err := os.MkdirTemp("", "klc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	launcherv1.RegisterLauncherServer(srv, pinger{resp: resp})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return func(ctx context.Context) (net.Conn, podsocket.Peer, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", sock)
		return c, podsocket.Peer{PID: 42}, err
	}
}

func TestDialChecksIdentityAndVersion(t *testing.T) {
	tests := []struct {
		name    string
		resp    *launcherv1.PingResponse
		refused bool
	}{
		{"serves this VMI", &launcherv1.PingResponse{Versions: launcherv1.SupportedVersions(), VmiUid: "uid-a"}, false},
		{"serves another VMI", &launcherv1.PingResponse{Versions: launcherv1.SupportedVersions(), VmiUid: "uid-b"}, true},
		{"names no VMI", &launcherv1.PingResponse{Versions: launcherv1.SupportedVersions()}, true},
		{"too old to name one", &launcherv1.PingResponse{Versions: []uint32{1, 2}, VmiUid: "uid-a"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Dial(context.Background(), serve(t, tt.resp), "uid-a")
			if tt.refused {
				if !errors.Is(err, podsocket.ErrRefused) {
					t.Fatalf("Dial = %v, want a refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			if c.Version != launcherv1.VersionMigration || c.Peer.PID != 42 {
				t.Fatalf("version %d peer %+v", c.Version, c.Peer)
			}
		})
	}
}
