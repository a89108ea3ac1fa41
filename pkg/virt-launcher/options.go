package virtlauncher

import (
	"context"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// Options configures virt-launcher.
type Options struct {
	// SocketDir is the host-shared directory where the command socket is created.
	SocketDir string
}

// AddFlags registers virt-launcher's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.SocketDir, "socket-dir", "/var/run/kvirt", "directory for the launcher's command socket")
}

// Validate checks the flags.
func (o *Options) Validate() error { return nil }

// Run serves until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	klog.FromContext(ctx).Info("no domain manager wired yet; waiting for shutdown", "socketDir", o.SocketDir)
	<-ctx.Done()
	return nil
}
