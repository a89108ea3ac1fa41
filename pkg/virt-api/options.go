package virtapi

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/kubeclient"
)

// DefaultPort is upstream's virt-api port.
const DefaultPort = 8443

// Options configures virt-api.
type Options struct {
	Client      kubeclient.Flags
	BindAddress string
	Port        int
	CertFile    string
	KeyFile     string
}

// AddFlags registers virt-api's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.BindAddress, "bind-address", "0.0.0.0", "address to serve HTTPS on")
	fs.IntVar(&o.Port, "port", DefaultPort, "port to serve HTTPS on")
	fs.StringVar(&o.CertFile, "tls-cert-file", "", "serving certificate (PEM); reloaded when the file changes")
	fs.StringVar(&o.KeyFile, "tls-private-key-file", "", "serving private key (PEM); reloaded when the file changes")
}

// Validate checks the flags.
func (o *Options) Validate() error {
	errs := []error{o.Client.Validate()}
	if o.CertFile == "" || o.KeyFile == "" {
		errs = append(errs, errors.New("--tls-cert-file and --tls-private-key-file are required"))
	}
	if o.Port < 1 || o.Port > 65535 {
		errs = append(errs, errors.New("--port must be between 1 and 65535"))
	}
	return errors.Join(errs...)
}

// Run serves until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	rc, err := o.Client.RESTConfig()
	if err != nil {
		return err
	}
	return Serve(ctx, ServerConfig{
		REST: rc, Address: net.JoinHostPort(o.BindAddress, strconv.Itoa(o.Port)),
		CertFile: o.CertFile, KeyFile: o.KeyFile,
	})
}
