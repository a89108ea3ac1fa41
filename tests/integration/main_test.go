package integration

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/poll"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

// clients bundles the typed clients a test needs.
type clients struct {
	config *rest.Config
	kube   kubernetes.Interface
	kvirt  kvirtclient.Interface
}

func newClients(t *testing.T) clients {
	t.Helper()
	cfg := cp.RESTConfig()
	return clients{config: cfg, kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg)}
}

// testNamespace creates a namespace for one test and deletes it afterwards.
func testNamespace(t *testing.T, c clients) string {
	t.Helper()
	ns, err := c.kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "kvirt-test-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = c.kube.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	return ns.Name
}

// repoRoot is the checkout this test file belongs to.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// compatDir is the upstream wire contract beside the checkout (../shared/compat),
// overridable with $KVIRT_COMPAT_DIR.
func compatDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KVIRT_COMPAT_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(), "..", "shared", "compat")
	}
	if _, err := os.Stat(filepath.Join(dir, "examples")); err != nil {
		t.Fatalf("upstream examples not found (set KVIRT_COMPAT_DIR): %v", err)
	}
	return dir
}

// eventually is poll.Eventually, named short for the many call sites here.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	poll.Eventually(t, timeout, what, cond)
}

func bufioReader(raw []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(raw)) }
