package deviceplugin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/klog/v2"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

// Resource names and device files of the node devices launcher pods request.
const (
	KVMResource      = "devices.kubevirt.io/kvm"
	TunResource      = "devices.kubevirt.io/tun"
	VhostNetResource = "devices.kubevirt.io/vhost-net"
	// DefaultCount is how many pods may hold one device at the same time.
	DefaultCount = 110
)

// Config is one device plugin.
type Config struct {
	// ResourceName is the extended resource, e.g. devices.kubevirt.io/kvm.
	ResourceName string
	// DevicePath is the device file handed to containers, e.g. /dev/kvm.
	DevicePath string
	// Count is the number of devices advertised (DefaultCount when 0).
	Count int
	// PluginDir is the kubelet's device plugin directory holding kubelet.sock.
	PluginDir string
	// PollInterval is how often kubelet restarts are looked for (2 s when 0).
	PollInterval time.Duration
}

// NodeDevices is the plugin set of a node: tun and vhost-net always, kvm only when
// the node's accelerator is KVM (under TCG a pod asking for kvm must not schedule).
func NodeDevices(pluginDir string, kvm bool) []Config {
	var out []Config
	if kvm {
		out = append(out, Config{ResourceName: KVMResource, DevicePath: "/dev/kvm", PluginDir: pluginDir})
	}
	return append(out,
		Config{ResourceName: TunResource, DevicePath: "/dev/net/tun", PluginDir: pluginDir},
		Config{ResourceName: VhostNetResource, DevicePath: "/dev/vhost-net", PluginDir: pluginDir})
}

// SocketPath is the plugin's own socket in the plugin directory.
func (c Config) SocketPath() string {
	return filepath.Join(c.PluginDir, "kvirt-"+c.ResourceName[strings.LastIndex(c.ResourceName, "/")+1:]+".sock")
}

func (c Config) withDefaults() Config {
	if c.Count == 0 {
		c.Count = DefaultCount
	}
	if c.PollInterval == 0 {
		c.PollInterval = 2 * time.Second
	}
	return c
}

// Run serves the plugin and keeps it registered with the kubelet until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	log := klog.FromContext(ctx).WithValues("resource", cfg.ResourceName)
	kubeletSock := filepath.Join(cfg.PluginDir, "kubelet.sock")
	var (
		state registration
		srv   *grpc.Server
	)
	stop := func() {
		if srv != nil {
			srv.Stop()
			srv = nil
		}
	}
	defer func() { stop(); _ = os.Remove(cfg.SocketPath()) }()
	tick := time.NewTicker(cfg.PollInterval)
	defer tick.Stop()
	for {
		state.kubeletNow, state.ownNow = statFile(kubeletSock), statFile(cfg.SocketPath())
		if needsRegister(state) {
			stop()
			var err error
			srv, err = serve(ctx, cfg)
			if err == nil {
				err = register(ctx, cfg, kubeletSock)
			}
			state.registered, state.kubeletAtRegister, state.lastRegistrationFail = true, state.kubeletNow, err != nil
			if err != nil {
				log.Error(err, "device plugin registration failed; retrying")
			} else {
				log.Info("device plugin registered", "socket", cfg.SocketPath())
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func statFile(path string) fileID {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}
	}
	id := fileID{exists: true}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.inode = st.Ino
	}
	return id
}

// serve starts the plugin's gRPC server on a fresh socket.
func serve(ctx context.Context, cfg Config) (*grpc.Server, error) {
	path := cfg.SocketPath()
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale plugin socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	srv := grpc.NewServer()
	pluginapi.RegisterDevicePluginServer(srv, &server{cfg: cfg, done: ctx.Done()})
	go func() {
		if err := srv.Serve(ln); err != nil {
			klog.FromContext(ctx).V(2).Info("device plugin server ended", "err", err.Error())
		}
	}()
	return srv, nil
}

// register announces the plugin on the kubelet's registration socket.
func register(ctx context.Context, cfg Config, kubeletSock string) error {
	conn, err := grpc.NewClient("unix://"+kubeletSock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dial kubelet: %w", err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = pluginapi.NewRegistrationClient(conn).Register(ctx, &pluginapi.RegisterRequest{
		Version:      pluginapi.Version,
		Endpoint:     filepath.Base(cfg.SocketPath()),
		ResourceName: cfg.ResourceName,
		Options:      &pluginapi.DevicePluginOptions{},
	})
	if err != nil {
		return fmt.Errorf("register %s with the kubelet: %w", cfg.ResourceName, err)
	}
	return nil
}

// server is the DevicePlugin service of one resource.
type server struct {
	pluginapi.UnimplementedDevicePluginServer
	cfg  Config
	done <-chan struct{}
}

func (s *server) GetDevicePluginOptions(context.Context, *pluginapi.Empty) (*pluginapi.DevicePluginOptions, error) {
	return &pluginapi.DevicePluginOptions{}, nil
}

// ListAndWatch sends the device list once and keeps the stream open: the set
// never changes while the plugin runs.
func (s *server) ListAndWatch(_ *pluginapi.Empty, stream grpc.ServerStreamingServer[pluginapi.ListAndWatchResponse]) error {
	prefix := filepath.Base(s.cfg.DevicePath)
	if err := stream.Send(&pluginapi.ListAndWatchResponse{Devices: deviceList(prefix, s.cfg.Count)}); err != nil {
		return fmt.Errorf("send device list: %w", err)
	}
	select {
	case <-stream.Context().Done():
	case <-s.done:
	}
	return nil
}

func (s *server) Allocate(ctx context.Context, req *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	_, err := os.Stat(s.cfg.DevicePath)
	if err != nil {
		klog.FromContext(ctx).Info("device file missing; allocating without it",
			"resource", s.cfg.ResourceName, "device", s.cfg.DevicePath)
	}
	return allocation(req, s.cfg.DevicePath, err == nil), nil
}
