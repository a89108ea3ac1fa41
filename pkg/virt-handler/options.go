package virthandler

import (
	"fmt"
	"net"
	"os"
	"time"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/kubeclient"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
)

// Options configures virt-handler.
type Options struct {
	Client kubeclient.Flags
	// NodeName is the node this handler runs on.
	NodeName string
	// KubeletPodsDir is the kubelet's pod directory: each launcher's sockets are
	// reached in <dir>/<pod uid>/volumes/kubernetes.io~empty-dir/kvirt-sockets.
	KubeletPodsDir string
	// StateDir keeps what must survive a handler restart.
	StateDir string
	// Accelerator: "auto" probes KVM and falls back to TCG when allowed;
	// "tcg" skips the probe (still requires emulation to be allowed).
	Accelerator     string
	KVMProbeTimeout time.Duration
	Heartbeat       time.Duration
	DefaultGrace    time.Duration
	// LauncherWatchdog: how long a launcher that answered before may stay
	// silent before its VMI fails as LauncherGone.
	LauncherWatchdog time.Duration
	Workers          int
	// NodeAPI is the mutual-TLS API for virt-api; off without a certificate.
	NodeAPI nodeapi.Config
	// NodeAPICSR gets the node API serving certificate, one naming this node,
	// through a CertificateSigningRequest (signer kubevirt.io/node-api) instead
	// of NodeAPI.CertFile; key and certificate are kept under StateDir/node-api.
	NodeAPICSR bool
	// InstallNamespace is kvirt's install namespace, part of the name in the
	// node API certificate (default $POD_NAMESPACE).
	InstallNamespace string
	// NodeAPIAdvertise is the node API address published on the Node for
	// virt-api; empty derives it from NodeAPI.Listen (see AdvertisedAddress).
	NodeAPIAdvertise string
	// DevicePluginDir is the kubelet's device plugin directory; empty disables the
	// device plugins (kvm, tun, vhost-net).
	DevicePluginDir string
	// HealthListen serves GET /healthz over plain HTTP; empty disables it.
	HealthListen string
	// MetricsListen serves /metrics over TLS with the node API's serving
	// certificate; empty (or no --node-api-cert) disables it.
	MetricsListen string
	// MetricsLauncherDeadline bounds how long one scrape waits for the
	// launchers' domain stats; a launcher that misses it is skipped.
	MetricsLauncherDeadline time.Duration
}

// AddFlags registers virt-handler's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.NodeName, "node-name", os.Getenv("NODE_NAME"), "name of this node (default $NODE_NAME)")
	fs.StringVar(&o.KubeletPodsDir, "kubelet-pods-dir", podsocket.DefaultPodsDir,
		"the kubelet's pod directory, where launcher pods' socket volumes are reached")
	fs.StringVar(&o.StateDir, "state-dir", "/var/lib/kvirt", "where state that survives restarts is kept")
	fs.StringVar(&o.Accelerator, "accelerator", "auto", "auto (probe KVM, else TCG if allowed) or tcg")
	fs.DurationVar(&o.KVMProbeTimeout, "kvm-probe-timeout", 10*time.Second, "deadline of the KVM probe guest")
	fs.DurationVar(&o.Heartbeat, "heartbeat-interval", time.Minute, "node heartbeat interval")
	fs.DurationVar(&o.DefaultGrace, "default-grace", 30*time.Second, "shutdown deadline for VMIs that set none")
	fs.IntVar(&o.Workers, "workers", 4, "VMIs synced in parallel")
	fs.DurationVar(&o.LauncherWatchdog, "launcher-watchdog", 30*time.Second,
		"how long a launcher that answered before may stay silent before its VMI fails (LauncherGone); "+
			"an exited launcher process or a refused socket fails it at once")
	fs.StringVar(&o.NodeAPI.Listen, "node-api-listen", ":8186", "address of the node API for virt-api")
	fs.StringVar(&o.NodeAPI.CertFile, "node-api-cert", "", "node API serving certificate (PEM); empty disables the API")
	fs.StringVar(&o.NodeAPI.KeyFile, "node-api-key", "", "node API serving key (PEM)")
	fs.BoolVar(&o.NodeAPICSR, "node-api-csr", false,
		"get the node API serving certificate, naming <node>.virt-handler.<install-namespace>.svc, through a "+
			"CertificateSigningRequest for signer kubevirt.io/node-api (kept under <state-dir>/node-api) instead of --node-api-cert")
	fs.StringVar(&o.InstallNamespace, "install-namespace", os.Getenv("POD_NAMESPACE"),
		"kvirt's install namespace, named in the node API certificate (default $POD_NAMESPACE)")
	fs.StringVar(&o.NodeAPIAdvertise, "node-api-advertise-address", "",
		"host:port virt-api uses to reach the node API, published on the Node; default the listen address, "+
			"whose empty or unspecified host stands for the node's InternalIP")
	fs.StringVar(&o.DevicePluginDir, "device-plugin-dir", "/var/lib/kubelet/device-plugins",
		"kubelet device plugin directory where kvm/tun/vhost-net are registered; empty disables them")
	fs.StringVar(&o.HealthListen, "health-listen", "", "address of the plain HTTP /healthz endpoint; empty disables it")
	fs.StringVar(&o.MetricsListen, "metrics-listen", ":8443",
		"address of the TLS /metrics endpoint (node API certificate); empty disables it")
	fs.DurationVar(&o.MetricsLauncherDeadline, "metrics-launcher-deadline", 3*time.Second,
		"how long one /metrics scrape waits for the launchers' domain stats; late launchers are skipped")
	fs.StringVar(&o.NodeAPI.ClientCAFile, "node-api-client-ca", "", "CA that signs virt-api's client certificate")
	fs.StringSliceVar(&o.NodeAPI.AllowedClientNames, "node-api-allowed-client-names", []string{certs.NodeAPIClientCommonName},
		"client certificate CommonNames the node API serves; other certificates of the CA get 403")
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if err := o.Client.Validate(); err != nil {
		return err
	}
	if o.NodeName == "" {
		host, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("--node-name is required: %w", err)
		}
		o.NodeName = host
	}
	if err := o.validateNodeAPI(); err != nil {
		return err
	}
	if o.LauncherWatchdog <= 0 {
		return fmt.Errorf("--launcher-watchdog must be positive, not %s", o.LauncherWatchdog)
	}
	if o.MetricsLauncherDeadline <= 0 {
		return fmt.Errorf("--metrics-launcher-deadline must be positive, not %s", o.MetricsLauncherDeadline)
	}
	if o.Accelerator != "auto" && o.Accelerator != "tcg" {
		return fmt.Errorf("--accelerator must be auto or tcg, not %q", o.Accelerator)
	}
	return nil
}

// validateNodeAPI checks the node API's certificate and address flags.
func (o *Options) validateNodeAPI() error {
	if o.NodeAPI.CertFile != "" && (o.NodeAPI.KeyFile == "" || o.NodeAPI.ClientCAFile == "") {
		return fmt.Errorf("--node-api-cert needs --node-api-key and --node-api-client-ca")
	}
	if o.nodeAPIEnabled() && len(o.NodeAPI.AllowedClientNames) == 0 {
		return fmt.Errorf("--node-api-allowed-client-names must name at least one client")
	}
	if o.NodeAPICSR && (o.NodeAPI.CertFile != "" || o.NodeAPI.ClientCAFile == "" || o.InstallNamespace == "") {
		return fmt.Errorf("--node-api-csr needs --node-api-client-ca and --install-namespace, and excludes --node-api-cert")
	}
	if _, err := AdvertisedAddress(o.NodeAPIAdvertise, o.NodeAPI.Listen); o.nodeAPIEnabled() && err != nil {
		return err
	}
	return nil
}

// AdvertisedAddress is the node API address to publish: advertise when set,
// else the listen address with an unspecified host (0.0.0.0, ::) left empty
// so that virt-api uses the node's InternalIP.
func AdvertisedAddress(advertise, listen string) (string, error) {
	addr := advertise
	if addr == "" {
		addr = listen
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("node api address %q needs a fixed port: %w", addr, err)
	}
	if ip := net.ParseIP(host); advertise == "" && ip != nil && ip.IsUnspecified() {
		host = ""
	}
	return net.JoinHostPort(host, port), nil
}

// nodeAPIEnabled says whether the node API is served (it needs a certificate).
func (o *Options) nodeAPIEnabled() bool { return o.NodeAPI.CertFile != "" || o.NodeAPICSR }
