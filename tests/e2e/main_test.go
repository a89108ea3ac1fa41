package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/client-go/subresources"
)

// env is what every test uses: the cluster's clients and the built images.
type env struct {
	root       string
	kubeconfig string
	kubectl    string
	virtctl    string
	config     *rest.Config
	kube       kubernetes.Interface
	kvirt      kvirtclient.Interface
	sub        *subresources.Client
	// guestDisk is the reference of kvirt.local/test-guest-containerdisk.
	guestDisk string
	// kernelBoot is the reference of kvirt.local/test-guest-kernelboot.
	kernelBoot string
}

var e *env

func TestMain(m *testing.M) {
	var err error
	e, err = setup()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n(run `make functest`, which brings up the local cluster and installs kvirt)\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func setup() (*env, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	x := &env{root: root, kubeconfig: os.Getenv("KVIRT_E2E_KUBECONFIG")}
	if x.kubeconfig == "" {
		x.kubeconfig = filepath.Join(root, "_out/cluster/kubeconfig")
	}
	x.kubectl = os.Getenv("KVIRT_E2E_KUBECTL")
	x.virtctl = filepath.Join(root, "_out/bin/virtctl")
	if x.config, err = clientcmd.BuildConfigFromFlags("", x.kubeconfig); err != nil {
		return nil, fmt.Errorf("cluster kubeconfig: %w", err)
	}
	x.config.QPS, x.config.Burst = 100, 200
	if x.kube, err = kubernetes.NewForConfig(x.config); err != nil {
		return nil, err
	}
	if x.kvirt, err = kvirtclient.NewForConfig(x.config); err != nil {
		return nil, err
	}
	if x.sub, err = subresources.NewForConfig(x.config); err != nil {
		return nil, err
	}
	if x.guestDisk, err = imageRef(root, "test-guest-containerdisk"); err != nil {
		return nil, err
	}
	if x.kernelBoot, err = imageRef(root, "test-guest-kernelboot"); err != nil {
		return nil, err
	}
	for _, f := range []string{x.kubectl, x.virtctl} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("binary: %w", err)
		}
	}
	return x, nil
}

func imageRef(root, name string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(root, "_out/images", name+".ref"))
	if err != nil {
		return "", fmt.Errorf("image %s not built: %w", name, err)
	}
	return strings.TrimSpace(string(raw)), nil
}
