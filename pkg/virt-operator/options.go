package virtoperator

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/kubeclient"
	"kvirt.io/kvirt/pkg/leader"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/pkg/virt-operator/status"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// Environment variables naming the component images and the kubelet root.
const (
	EnvVirtAPIImage        = "VIRT_API_IMAGE"
	EnvVirtControllerImage = "VIRT_CONTROLLER_IMAGE"
	EnvVirtHandlerImage    = "VIRT_HANDLER_IMAGE"
	EnvVirtLauncherImage   = "VIRT_LAUNCHER_IMAGE"
	// EnvVirtImporterImage (optional) is the DataVolume importer's image:
	// without it the install never serves the DataVolume API itself.
	EnvVirtImporterImage = "VIRT_IMPORTER_IMAGE"
	EnvKubeletRootDir    = "KUBELET_ROOT_DIR"
	// EnvKubeletPodsDir overrides KUBELET_ROOT_DIR/pods, for a kubelet whose
	// --root-dir is not its device-plugin root.
	EnvKubeletPodsDir = "KUBELET_PODS_DIR"
)

// serviceAccountNamespaceFile holds the pod's namespace in a cluster.
const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// Options configures virt-operator.
type Options struct {
	Client    kubeclient.Flags
	Namespace string
	Validity  certs.Validity
	// MetricsAddress serves /metrics and /healthz; empty disables.
	MetricsAddress string
	DegradedAfter  time.Duration
	Leader         leader.Options
	// Getenv reads the images and the kubelet root (default os.Getenv).
	Getenv func(string) string
}

// AddFlags registers virt-operator's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.Namespace, "namespace", defaultNamespace(), "namespace of the install (default: the pod's namespace, else kubevirt)")
	o.Validity.AddFlags(fs)
	fs.StringVar(&o.MetricsAddress, "metrics-bind-address", ":8090", "address serving /metrics and /healthz; empty disables")
	fs.DurationVar(&o.DegradedAfter, "degraded-after", status.DefaultDegradedAfter, "components unready for longer than this make the KubeVirt Degraded")
	o.Leader.AddFlags(fs, "virt-operator") // the Lease lives in --namespace
}

func defaultNamespace() string {
	if b, err := os.ReadFile(serviceAccountNamespaceFile); err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b))
	}
	return "kubevirt"
}

func (o *Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

// Install is the strategy configuration from the flags and the environment.
func (o *Options) Install() strategy.Config {
	root := o.getenv(EnvKubeletRootDir)
	if root == "" {
		root = strategy.DefaultKubeletRootDir
	}
	return strategy.Config{
		Namespace: o.Namespace,
		Images: strategy.Images{
			API: o.getenv(EnvVirtAPIImage), Controller: o.getenv(EnvVirtControllerImage),
			Handler: o.getenv(EnvVirtHandlerImage), Launcher: o.getenv(EnvVirtLauncherImage),
			Importer: o.getenv(EnvVirtImporterImage),
		},
		KubeletRootDir: root,
		KubeletPodsDir: o.getenv(EnvKubeletPodsDir),
	}
}

// Validate checks the flags and the environment.
func (o *Options) Validate() error {
	errs := []error{o.Client.Validate()}
	if o.Namespace == "" {
		errs = append(errs, errors.New("--namespace must not be empty"))
	}
	errs = append(errs, o.Validity.Validate())
	for _, env := range []string{EnvVirtAPIImage, EnvVirtControllerImage, EnvVirtHandlerImage, EnvVirtLauncherImage} {
		if o.getenv(env) == "" {
			errs = append(errs, fmt.Errorf("environment variable %s must name an image", env))
		}
	}
	errs = append(errs, o.Leader.Validate())
	return errors.Join(errs...)
}
