package deviceplugin

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"

	"kvirt.io/kvirt/tests/framework/poll"
)

// kubelet is a registration server on <dir>/kubelet.sock, as the kubelet runs.
type kubelet struct {
	pluginapi.UnimplementedRegistrationServer
	mu   sync.Mutex
	reqs []*pluginapi.RegisterRequest
	srv  *grpc.Server
}

func (k *kubelet) Register(_ context.Context, r *pluginapi.RegisterRequest) (*pluginapi.Empty, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reqs = append(k.reqs, r)
	return &pluginapi.Empty{}, nil
}

func (k *kubelet) registrations() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.reqs)
}

// startKubelet (re)creates the registration socket, removing the plugin sockets
// first as a starting kubelet does.
func startKubelet(t *testing.T, dir string, k *kubelet) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "kubelet.sock"))
	if err != nil {
		t.Fatal(err)
	}
	k.srv = grpc.NewServer()
	pluginapi.RegisterRegistrationServer(k.srv, k)
	go func() { _ = k.srv.Serve(ln) }()
	t.Cleanup(k.srv.Stop)
}

func TestPluginRegistersServesAndReregisters(t *testing.T) {
	dir := t.TempDir()
	k := &kubelet{}
	startKubelet(t, dir, k)
	dev := filepath.Join(dir, "fake-dev")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{ResourceName: TunResource, DevicePath: dev, Count: 5, PluginDir: dir, PollInterval: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not end with its context")
		}
	})

	poll.Eventually(t, 10*time.Second, "first registration", func() error {
		if n := k.registrations(); n != 1 {
			return fmt.Errorf("%d registrations", n)
		}
		return nil
	})
	k.mu.Lock()
	r := k.reqs[0]
	k.mu.Unlock()
	if r.ResourceName != TunResource || r.Version != pluginapi.Version || r.Endpoint != "kvirt-tun.sock" {
		t.Fatalf("registration %v", r)
	}

	// The kubelet side: list and allocate over the plugin's endpoint.
	conn, err := grpc.NewClient("unix://"+filepath.Join(dir, r.Endpoint), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	client := pluginapi.NewDevicePluginClient(conn)
	callCtx, callCancel := context.WithTimeout(ctx, 10*time.Second)
	defer callCancel()
	stream, err := client.ListAndWatch(callCtx, &pluginapi.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := stream.Recv()
	if err != nil || len(list.Devices) != 5 {
		t.Fatalf("ListAndWatch: %v, %v", list, err)
	}
	alloc, err := client.Allocate(callCtx, &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{
		{DevicesIds: []string{list.Devices[0].ID}}}})
	if err != nil || len(alloc.ContainerResponses) != 1 || len(alloc.ContainerResponses[0].Devices) != 1 ||
		alloc.ContainerResponses[0].Devices[0].HostPath != dev {
		t.Fatalf("Allocate: %v, %v", alloc, err)
	}

	// A kubelet restart: the plugin socket disappears, kubelet.sock is new.
	k.srv.Stop()
	startKubelet(t, dir, k)
	poll.Eventually(t, 10*time.Second, "registration after a kubelet restart", func() error {
		if n := k.registrations(); n != 2 {
			return fmt.Errorf("%d registrations", n)
		}
		_, err := os.Stat(cfg.SocketPath())
		return err
	})
}
