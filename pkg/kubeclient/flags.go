package kubeclient

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Upstream KubeVirt's default client rate limits for its components.
const (
	DefaultQPS   = 200
	DefaultBurst = 400
)

// Flags selects the cluster and the client-side rate limits.
type Flags struct {
	Kubeconfig string
	QPS        float32
	Burst      int
}

// AddFlags registers --kubeconfig, --client-qps and --client-burst.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Kubeconfig, "kubeconfig", "", "path to a kubeconfig; empty means in-cluster configuration")
	fs.Float32Var(&f.QPS, "client-qps", DefaultQPS, "maximum queries per second to the kube-apiserver")
	fs.IntVar(&f.Burst, "client-burst", DefaultBurst, "maximum burst of queries to the kube-apiserver")
}

// Validate rejects rate limits that would stall the client.
func (f *Flags) Validate() error {
	var errs []error
	if f.QPS <= 0 {
		errs = append(errs, fmt.Errorf("--client-qps must be positive, got %v", f.QPS))
	}
	if f.Burst < 1 {
		errs = append(errs, fmt.Errorf("--client-burst must be at least 1, got %d", f.Burst))
	}
	return errors.Join(errs...)
}

// RESTConfig loads the configuration named by the flags and applies the rate limits.
func (f *Flags) RESTConfig() (*rest.Config, error) {
	var (
		cfg *rest.Config
		err error
	)
	if f.Kubeconfig == "" {
		cfg, err = rest.InClusterConfig()
	} else {
		cfg, err = clientcmd.BuildConfigFromFlags("", f.Kubeconfig)
	}
	if err != nil {
		return nil, fmt.Errorf("load kube client config: %w", err)
	}
	cfg.QPS, cfg.Burst = f.QPS, f.Burst
	return cfg, nil
}
