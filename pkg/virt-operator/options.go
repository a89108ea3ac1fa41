package virtoperator

import (
	"context"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/kubeclient"
)

// Options configures virt-operator.
type Options struct {
	Client kubeclient.Flags
}

// AddFlags registers virt-operator's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) { o.Client.AddFlags(fs) }

// Validate checks the flags.
func (o *Options) Validate() error { return o.Client.Validate() }

// Run serves until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	klog.FromContext(ctx).Info("no controllers wired yet; waiting for shutdown")
	<-ctx.Done()
	return nil
}
