package virtoperator

import (
	"os"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	apiregistrationclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	virtoperator "kvirt.io/kvirt/pkg/virt-operator"
	"kvirt.io/kvirt/tests/framework/background"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/controlplane"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

// No virt-api serves in this tier, so the webhooks the operator registers (failure
// policy Fail) would reject every write to kvirt kinds: admission webhooks are off.
func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{APIServerFlags: []string{
		"--disable-admission-plugins=ValidatingAdmissionWebhook,MutatingAdmissionWebhook",
	}}, func(c *controlplane.ControlPlane) { cp = c }))
}

type clients struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
	dyn   dynamic.Interface
	agg   apiregistrationclient.Interface
}

func newClients(t *testing.T) clients {
	t.Helper()
	cfg := cp.RESTConfig()
	cfg.QPS, cfg.Burst = 500, 1000
	return clients{
		kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg),
		dyn: dynamic.NewForConfigOrDie(cfg), agg: apiregistrationclient.NewForConfigOrDie(cfg),
	}
}

// testEnv is the operator's environment: images and the kubelet root.
var testEnv = map[string]string{
	virtoperator.EnvVirtAPIImage:        "kvirt.local/virt-api:sha256-aaaa",
	virtoperator.EnvVirtControllerImage: "kvirt.local/virt-controller:sha256-bbbb",
	virtoperator.EnvVirtHandlerImage:    "kvirt.local/virt-handler:sha256-cccc",
	virtoperator.EnvVirtLauncherImage:   "kvirt.local/virt-launcher:sha256-dddd",
	virtoperator.EnvVirtImporterImage:   "kvirt.local/importer:sha256-eeee",
	virtoperator.EnvKubeletRootDir:      "/srv/kubelet",
}

// operatorOptions are the flags' defaults with the test control plane, the given
// certificate validities, leader election on and metrics on a free port.
func operatorOptions(t *testing.T, args ...string) *virtoperator.Options {
	t.Helper()
	o := &virtoperator.Options{Getenv: func(k string) string { return testEnv[k] }}
	fs := pflag.NewFlagSet("virt-operator", pflag.ContinueOnError)
	o.AddFlags(fs)
	// As its own ServiceAccount with the release manifest's RBAC: creating the
	// components' roles proves it holds all it grants.
	kubeconfig := componentrbac.Kubeconfig(t, cp.RESTConfig(), componentrbac.Operator)
	if err := fs.Parse(append([]string{"--kubeconfig", kubeconfig, "--namespace", "kubevirt",
		"--metrics-bind-address", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatalf("flags: %v", err)
	}
	if err := o.Validate(); err != nil {
		t.Fatalf("options: %v", err)
	}
	return o
}

// startOperator runs virt-operator in this process until the test ends.
func startOperator(t *testing.T, o *virtoperator.Options) {
	t.Helper()
	background.Run(t, "virt-operator", o.Run)
}
