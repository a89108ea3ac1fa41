package virtapi

import (
	"context"
	"errors"
	"net"
	"os"
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
	// Node API client side: virt-api's client certificate for virt-handler and
	// the CA that signs virt-handler's serving certificates.
	HandlerClientCert, HandlerClientKey, HandlerCA string
	HandlerServerName                              string
	HandlerNamespace                               string
	// InstallNamespace is the namespace kvirt is installed in: only the
	// component ServiceAccounts there count as kvirt in admission.
	InstallNamespace string
	// UploadClientCert and UploadClientKey are virt-api's client certificate
	// for DataVolume upload servers (datavolumes/upload).
	UploadClientCert, UploadClientKey string
}

// AddFlags registers virt-api's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.BindAddress, "bind-address", "0.0.0.0", "address to serve HTTPS on")
	fs.IntVar(&o.Port, "port", DefaultPort, "port to serve HTTPS on")
	fs.StringVar(&o.CertFile, "tls-cert-file", "", "serving certificate (PEM); reloaded when the file changes")
	fs.StringVar(&o.KeyFile, "tls-private-key-file", "", "serving private key (PEM); reloaded when the file changes")
	fs.StringVar(&o.HandlerClientCert, "handler-client-cert", "",
		"client certificate (PEM) presented to virt-handler's node API; empty leaves pause, console, ... answering 503")
	fs.StringVar(&o.HandlerClientKey, "handler-client-key", "", "key of --handler-client-cert (PEM)")
	fs.StringVar(&o.HandlerCA, "handler-ca", "",
		"CA bundle (PEM) that signs virt-handler's node API serving certificates; reloaded when the file changes")
	fs.StringVar(&o.InstallNamespace, "install-namespace", os.Getenv("POD_NAMESPACE"),
		"namespace kvirt is installed in (default $POD_NAMESPACE): only its kubevirt-apiserver, kubevirt-controller and "+
			"kubevirt-handler ServiceAccounts may write VMI status and reserved labels")
	fs.StringVar(&o.UploadClientCert, "upload-client-cert", "",
		"client certificate (PEM, CN kvirt.io:upload-proxy) presented to DataVolume upload servers; empty leaves "+
			"datavolumes/upload answering 503; reloaded when the file changes")
	fs.StringVar(&o.UploadClientKey, "upload-client-key", "", "key of --upload-client-cert (PEM)")
	fs.StringVar(&o.HandlerServerName, "handler-server-name", "",
		"one DNS name to verify in every virt-handler's serving certificate instead of the dialled node address "+
			"(static setups; in-cluster use --handler-namespace)")
	fs.StringVar(&o.HandlerNamespace, "handler-namespace", "",
		"virt-handler's install namespace: verify that the handler of a VMI's node presents that node's own "+
			"certificate, <node>.virt-handler.<namespace>.svc (issued through signer kubevirt.io/node-api)")
}

// Validate checks the flags.
func (o *Options) Validate() error {
	errs := []error{o.Client.Validate()}
	if o.CertFile == "" || o.KeyFile == "" {
		errs = append(errs, errors.New("--tls-cert-file and --tls-private-key-file are required"))
	}
	if o.InstallNamespace == "" {
		errs = append(errs, errors.New("--install-namespace (or $POD_NAMESPACE) is required"))
	}
	if o.HandlerClientCert != "" && (o.HandlerClientKey == "" || o.HandlerCA == "") {
		errs = append(errs, errors.New("--handler-client-cert needs --handler-client-key and --handler-ca"))
	}
	if o.HandlerServerName != "" && o.HandlerClientCert == "" {
		errs = append(errs, errors.New("--handler-server-name needs --handler-client-cert"))
	}
	if o.HandlerNamespace != "" && (o.HandlerClientCert == "" || o.HandlerServerName != "") {
		errs = append(errs, errors.New("--handler-namespace needs --handler-client-cert and excludes --handler-server-name"))
	}
	if (o.UploadClientCert == "") != (o.UploadClientKey == "") {
		errs = append(errs, errors.New("--upload-client-cert and --upload-client-key go together"))
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
		HandlerClientCert: o.HandlerClientCert, HandlerClientKey: o.HandlerClientKey, HandlerCA: o.HandlerCA,
		HandlerServerName: o.HandlerServerName, HandlerNamespace: o.HandlerNamespace, InstallNamespace: o.InstallNamespace,
		UploadClientCert: o.UploadClientCert, UploadClientKey: o.UploadClientKey,
	})
}
