package launcherclient

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"

	"kvirt.io/kvirt/pkg/podsocket"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

type pingServer struct {
	launcherv1.UnimplementedLauncherServer
}

func (pingServer) Ping(context.Context, *launcherv1.PingRequest) (*launcherv1.PingResponse, error) {
	return &launcherv1.PingResponse{Versions: launcherv1.SupportedVersions(), Pid: 1, VmiUid: "vmi-uid"}, nil
}

type allowPeer struct{}

func (allowPeer) Check(podsocket.Peer, podsocket.Target) error { return nil }

// podSocket lays out a fake kubelet pods dir and returns the socket's path and
// a DialFunc that reaches it the way virt-handler does (pkg/podsocket).
func podSocket(t *testing.T) (string, DialFunc) {
	t.Helper()
	dir, err := os.MkdirTemp("", "lcp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	target := podsocket.Target{PodUID: "pod", Socket: "launcher.sock"}
	socket := podsocket.Path(dir, target)
	if err := os.MkdirAll(filepath.Dir(socket), 0o700); err != nil {
		t.Fatal(err)
	}
	d := podsocket.Dialer{PodsDir: dir, Check: allowPeer{}}
	return socket, func(ctx context.Context) (net.Conn, podsocket.Peer, error) { return d.Dial(ctx, target) }
}

// serveAt runs a launcher stand-in on socket; the returned func stops it and
// leaves the socket file behind, as a killed launcher does.
func serveAt(t *testing.T, socket string) func() {
	t.Helper()
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	srv := grpc.NewServer()
	launcherv1.RegisterLauncherServer(srv, pingServer{})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return srv.Stop
}

func TestDialPeerCredAndGoneLaunchers(t *testing.T) {
	socket, dial := podSocket(t)
	stop := serveAt(t, socket)
	ctx := context.Background()
	cl, err := Dial(ctx, dial, "vmi-uid")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cl.Close() }()
	if int(cl.Peer.PID) != os.Getpid() || int(cl.Peer.UID) != os.Getuid() {
		t.Errorf("peer pid %d uid %d, want %d %d", cl.Peer.PID, cl.Peer.UID, os.Getpid(), os.Getuid())
	}
	closed := make(chan struct{})
	cl.OnClose(ctx, func() { close(closed) })

	stop()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("OnClose not called after the launcher stopped")
	}
	_, err = Dial(ctx, dial, "vmi-uid")
	if !Refused(err) || Absent(err) {
		t.Fatalf("dial of a socket nobody listens on: %v (refused %v, absent %v)", err, Refused(err), Absent(err))
	}
	if err := os.Remove(socket); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(ctx, dial, "vmi-uid")
	if !Absent(err) || Refused(err) {
		t.Fatalf("dial of a removed socket: %v (refused %v, absent %v)", err, Refused(err), Absent(err))
	}
}

func TestOnCloseNotCalledOnClose(t *testing.T) {
	socket, dial := podSocket(t)
	serveAt(t, socket)
	cl, err := Dial(context.Background(), dial, "vmi-uid")
	if err != nil {
		t.Fatal(err)
	}
	called := make(chan struct{}, 1)
	cl.OnClose(context.Background(), func() { called <- struct{}{} })
	_ = cl.Close()
	select {
	case <-called:
		t.Fatal("OnClose called for the client's own Close")
	case <-time.After(500 * time.Millisecond):
	}
}
