package nodeapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// displayLauncher serves a display that echoes viewer bytes upper-cased and
// refuses a preserving viewer.
type displayLauncher struct {
	launcherv1.UnimplementedLauncherServer
}

func (displayLauncher) VNC(stream launcherv1.Launcher_VNCServer) error {
	open, err := stream.Recv()
	if err != nil {
		return err
	}
	if open.PreserveSession {
		return status.Error(codes.AlreadyExists, "a VNC session is already active")
	}
	if err := stream.Send(&launcherv1.VNCData{}); err != nil {
		return err
	}
	if err := stream.Send(&launcherv1.VNCData{Data: []byte("RFB 003.008\n")}); err != nil {
		return err
	}
	for {
		msg, err := stream.Recv()
		if err != nil {
			return nil
		}
		if err := stream.Send(&launcherv1.VNCData{Data: []byte(strings.ToUpper(string(msg.Data)))}); err != nil {
			return err
		}
	}
}

func (displayLauncher) Screenshot(_ context.Context, req *launcherv1.ScreenshotRequest) (*launcherv1.ScreenshotResponse, error) {
	return &launcherv1.ScreenshotResponse{Png: []byte(fmt.Sprintf("png move=%v", req.MoveCursor)), Mime: "image/png"}, nil
}

type oneLauncher struct{ c launcherv1.LauncherClient }

func (o oneLauncher) LauncherFor(context.Context, string, string) (launcherv1.LauncherClient, error) {
	return o.c, nil
}

func serveDisplay(t *testing.T, srv launcherv1.LauncherServer) *httptest.Server {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "launcher.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	launcherv1.RegisterLauncherServer(g, srv)
	go func() { _ = g.Serve(ln) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	api := httptest.NewServer(Handler(oneLauncher{launcherv1.NewLauncherClient(conn)}))
	t.Cleanup(api.Close)
	return api
}

func TestScreenshotRoute(t *testing.T) {
	api := serveDisplay(t, displayLauncher{})
	resp, err := http.Get(api.URL + "/v1/namespaces/ns/virtualmachineinstances/vm/vnc/screenshot?moveCursor=true")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || string(body) != "png move=true" {
		t.Errorf("screenshot: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// vncUpgrade asks the node API for the VNC stream as virt-api does.
func vncUpgrade(t *testing.T, api *httptest.Server, query string) (net.Conn, *bufio.Reader, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(api.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /v1/namespaces/ns/virtualmachineinstances/vm/vnc%s HTTP/1.1\r\nHost: node\r\n"+
		"Connection: Upgrade\r\nUpgrade: %s\r\n\r\n", query, VNCUpgrade)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn, br, resp
}

func TestVNCRoute(t *testing.T) {
	api := serveDisplay(t, displayLauncher{})
	conn, br, resp := vncUpgrade(t, api, "")
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != VNCUpgrade {
		t.Fatalf("vnc upgrade: %s", resp.Status)
	}
	greeting := make([]byte, 12)
	if _, err := io.ReadFull(br, greeting); err != nil || string(greeting) != "RFB 003.008\n" {
		t.Fatalf("greeting %q: %v", greeting, err)
	}
	_, _ = conn.Write([]byte("abc"))
	echo := make([]byte, 3)
	if _, err := io.ReadFull(br, echo); err != nil || string(echo) != "ABC" {
		t.Errorf("relayed %q: %v", echo, err)
	}

	_, _, resp = vncUpgrade(t, api, "?preserveSession=true")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "already active") {
		t.Errorf("preserving viewer: %s %s, want 409", resp.Status, body)
	}
}

func TestVNCRouteOldLauncher(t *testing.T) {
	api := serveDisplay(t, launcherv1.UnimplementedLauncherServer{})
	_, _, resp := vncUpgrade(t, api, "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("launcher without VNC: %s, want 503", resp.Status)
	}
	r, err := http.Get(api.URL + "/v1/namespaces/ns/virtualmachineinstances/vm/vnc/screenshot")
	if err != nil {
		t.Fatal(err)
	}
	_ = r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("screenshot from a launcher without it: %s, want 503", r.Status)
	}
}
