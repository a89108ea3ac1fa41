package hostpath

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/version"
)

// Options are the flags of kvirt-csi-hostpath.
type Options struct {
	// Endpoint is the CSI socket the sidecars and the kubelet connect to.
	Endpoint string
	// NodeID is this node's name (from the downward API).
	NodeID string
	// StateDir holds the volumes.
	StateDir string
	// RegistrationDir is the kubelet's plugins_registry directory as mounted
	// in the container; empty disables kubelet registration (controller-only).
	RegistrationDir string
	// KubeletEndpoint is the CSI socket's path on the host, told to the kubelet.
	KubeletEndpoint string
	// HealthAddress serves /healthz; empty disables it.
	HealthAddress string
}

// AddFlags registers the options' flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Endpoint, "endpoint", "unix:///csi/csi.sock", "CSI endpoint (unix:///path) to serve on")
	fs.StringVar(&o.NodeID, "node-id", "", "name of the node this driver runs on (required)")
	fs.StringVar(&o.StateDir, "state-dir", "/var/lib/kvirt-csi-hostpath", "directory holding the volumes and their metadata")
	fs.StringVar(&o.RegistrationDir, "registration-dir", "",
		"kubelet plugin registration directory (host /var/lib/kubelet/plugins_registry); empty: do not register")
	fs.StringVar(&o.KubeletEndpoint, "kubelet-endpoint", "/var/lib/kubelet/plugins/"+DriverName+"/csi.sock",
		"path of the CSI socket on the host, given to the kubelet at registration")
	fs.StringVar(&o.HealthAddress, "health-address", ":9808", "address serving /healthz; empty disables it")
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if o.NodeID == "" {
		return errors.New("--node-id is required")
	}
	if _, err := SocketPath(o.Endpoint); err != nil {
		return err
	}
	if o.RegistrationDir != "" && o.KubeletEndpoint == "" {
		return errors.New("--kubelet-endpoint is required with --registration-dir")
	}
	return nil
}

// Run serves the driver until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	log := klog.FromContext(ctx)
	d, err := New(Config{NodeID: o.NodeID, StateDir: o.StateDir, Version: version.Get().GitVersion})
	if err != nil {
		return err
	}
	path, _ := SocketPath(o.Endpoint)
	l, err := listenUnix(path)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	if o.RegistrationDir != "" {
		rl, err := listenUnix(RegistrationSocket(o.RegistrationDir))
		if err != nil {
			_ = l.Close()
			return err
		}
		g.Go(func() error { return serveGRPC(ctx, NewRegistrationServer(o.KubeletEndpoint, log), rl) })
	}
	g.Go(func() error { return serveGRPC(ctx, NewCSIServer(d), l) })
	if o.HealthAddress != "" {
		g.Go(func() error { return serveHTTP(ctx, o.HealthAddress, HealthHandler(d)) })
	}
	log.Info("serving", "driver", DriverName, "endpoint", path, "node", o.NodeID)
	if err := g.Wait(); err != nil {
		return fmt.Errorf("csi hostpath driver: %w", err)
	}
	return nil
}
