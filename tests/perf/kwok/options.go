package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/framework/prometheus"
	"kvirt.io/kvirt/tests/perf/kwok/driver"
)

// Defaults, relative to the repository root.
const (
	defaultKubeconfig = "_out/cluster/kubeconfig"
	imageRefFile      = "_out/images/test-guest-containerdisk.ref"
	imagePlaceholder  = "kvirt.local/test-guest-containerdisk:devel"
)

type options struct {
	kubeconfig, namespace, kind, out, prometheus, nodeSelector, image string
	vmis, workers                                                     int
	rate                                                              float64
	qps                                                               float64
	burst                                                             int
	timeout                                                           time.Duration
}

func (o *options) addFlags(fs *flag.FlagSet) {
	kubeconfig := os.Getenv("KUBECONFIG")
	if kubeconfig == "" {
		kubeconfig = defaultKubeconfig
	}
	fs.StringVar(&o.kubeconfig, "kubeconfig", kubeconfig, "kubeconfig of the cluster (default $KUBECONFIG when set)")
	fs.StringVar(&o.namespace, "namespace", "kwok-perf", "namespace to create the objects in (created if missing; must hold no VMIs)")
	fs.IntVar(&o.vmis, "vmis", 8000, "number of VMIs to bring to Running")
	fs.Float64Var(&o.rate, "rate", 0, "creates per second; 0 creates as fast as the API allows (10 is upstream's 100 ms pacing)")
	fs.IntVar(&o.workers, "workers", 8, "parallel creating and deleting workers")
	fs.Float64Var(&o.qps, "qps", 200, "client QPS towards the apiserver")
	fs.IntVar(&o.burst, "burst", 400, "client burst towards the apiserver")
	fs.StringVar(&o.kind, "kind", driver.KindVMI, "what to create: "+strings.Join(driver.Kinds, "|"))
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "limit for all VMIs Running, and separately for the deletion; stuck VMIs fail the run")
	fs.StringVar(&o.out, "out", "_out/perf", "directory for kwok-report.md, kwok-report.json and the plots")
	fs.StringVar(&o.prometheus, "prometheus", "", "URL of a Prometheus scraping kvirt (hack/prometheus.sh url); empty skips component metrics")
	fs.StringVar(&o.nodeSelector, "node-selector", "type=kwok", "nodeSelector of the VMIs, key=value[,key=value]")
	fs.StringVar(&o.image, "image", "", "containerDisk image (default the built test guest's reference, else "+imagePlaceholder+")")
}

func (o *options) config() (driver.Config, error) {
	selector, err := parseSelector(o.nodeSelector)
	if err != nil {
		return driver.Config{}, err
	}
	rc, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return driver.Config{}, fmt.Errorf("kubeconfig %s: %w", o.kubeconfig, err)
	}
	rc.QPS, rc.Burst = float32(o.qps), o.burst
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return driver.Config{}, err
	}
	kvirt, err := kvirtclient.NewForConfig(rc)
	if err != nil {
		return driver.Config{}, err
	}
	cfg := driver.Config{
		Kube: kube, Kvirt: kvirt, APIServer: kube.CoreV1().RESTClient(),
		Namespace: o.namespace, VMIs: o.vmis, Rate: o.rate, Workers: o.workers, Kind: o.kind,
		Image: o.imageRef(), NodeSelector: selector, Timeout: o.timeout,
	}
	if o.prometheus != "" {
		cfg.Prometheus, cfg.PrometheusURL = prometheus.NewClient(o.prometheus), o.prometheus
	}
	return cfg, cfg.Validate()
}

func (o *options) imageRef() string {
	if o.image != "" {
		return o.image
	}
	if raw, err := os.ReadFile(imageRefFile); err == nil && strings.TrimSpace(string(raw)) != "" {
		return strings.TrimSpace(string(raw))
	}
	return imagePlaceholder
}

// parseSelector reads key=value[,key=value]; empty gives no selector.
func parseSelector(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("node selector %q: want key=value[,key=value]", s)
		}
		out[k] = v
	}
	return out, nil
}
