package hostpath

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/klog/v2"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// serveOnSocket serves s on a socket in a temp dir and returns a client
// connection to it; both end with the test.
func serveOnSocket(t *testing.T, s *grpc.Server, path string) *grpc.ClientConn {
	t.Helper()
	l, err := listenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveGRPC(ctx, s, l) }()
	conn, err := grpc.NewClient("unix://"+path, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return conn
}

func TestRegistrationServer(t *testing.T) {
	dir := t.TempDir()
	sock := RegistrationSocket(dir)
	if filepath.Base(sock) != "hostpath.csi.kvirt.io-reg.sock" {
		t.Errorf("socket name = %s", sock)
	}
	// A stale socket from a previous run must not stop us.
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	const endpoint = "/var/lib/kubelet/plugins/hostpath.csi.kvirt.io/csi.sock"
	c := registerapi.NewRegistrationClient(serveOnSocket(t, NewRegistrationServer(endpoint, klog.Background()), sock))
	ctx := context.Background()
	info, err := c.GetInfo(ctx, &registerapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetType() != registerapi.CSIPlugin || info.GetName() != DriverName || info.GetEndpoint() != endpoint ||
		len(info.GetSupportedVersions()) == 0 {
		t.Errorf("GetInfo = %v", info)
	}
	for _, registered := range []bool{true, false} {
		if _, err := c.NotifyRegistrationStatus(ctx, &registerapi.RegistrationStatus{PluginRegistered: registered}); err != nil {
			t.Errorf("NotifyRegistrationStatus(%v): %v", registered, err)
		}
	}
}

func TestCSIServerOverSocket(t *testing.T) {
	d := newTestDriver(t, nil)
	conn := serveOnSocket(t, NewCSIServer(d), filepath.Join(t.TempDir(), "csi.sock"))
	ctx := context.Background()
	id := csi.NewIdentityClient(conn)
	info, err := id.GetPluginInfo(ctx, &csi.GetPluginInfoRequest{})
	if err != nil || info.GetName() != DriverName || info.GetVendorVersion() != "test" {
		t.Fatalf("GetPluginInfo = %v, %v", info, err)
	}
	probe, err := id.Probe(ctx, &csi.ProbeRequest{})
	if err != nil || !probe.GetReady().GetValue() {
		t.Fatalf("Probe = %v, %v", probe, err)
	}
	vol, err := csi.NewControllerClient(conn).CreateVolume(ctx,
		&csi.CreateVolumeRequest{Name: "pvc-s", VolumeCapabilities: []*csi.VolumeCapability{rwo}})
	if err != nil || vol.GetVolume().GetVolumeId() == "" {
		t.Fatalf("CreateVolume = %v, %v", vol, err)
	}
	node, err := csi.NewNodeClient(conn).NodeGetInfo(ctx, &csi.NodeGetInfoRequest{})
	if err != nil || node.GetNodeId() != "n1" {
		t.Fatalf("NodeGetInfo = %v, %v", node, err)
	}
}

func TestHealthz(t *testing.T) {
	d := newTestDriver(t, nil)
	h := HealthHandler(d)
	get := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code
	}
	if code := get(); code != http.StatusOK {
		t.Errorf("healthy: %d", code)
	}
	if err := os.RemoveAll(d.cfg.StateDir); err != nil {
		t.Fatal(err)
	}
	if code := get(); code != http.StatusServiceUnavailable {
		t.Errorf("state dir gone: %d", code)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr bool
	}{
		{name: "defaults with node", o: Options{Endpoint: "unix:///csi/csi.sock", NodeID: "n1"}},
		{name: "no node", o: Options{Endpoint: "unix:///csi/csi.sock"}, wantErr: true},
		{name: "relative endpoint", o: Options{Endpoint: "unix://csi.sock", NodeID: "n1"}, wantErr: true},
		{name: "registration without kubelet endpoint",
			o: Options{Endpoint: "/csi/csi.sock", NodeID: "n1", RegistrationDir: "/registration"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.o.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}
