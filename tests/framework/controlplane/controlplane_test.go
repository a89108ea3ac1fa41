package controlplane_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kvirt.io/kvirt/tests/framework/controlplane"
)

const wantKubeVersion = "v1.37.2"

func TestControlPlane(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	versions, err := controlplane.ReadVersions(root)
	if err != nil {
		t.Fatal(err)
	}
	if versions.Kube != wantKubeVersion {
		t.Fatalf("pinned KUBE_VERSION = %s, want %s", versions.Kube, wantKubeVersion)
	}

	cp := controlplane.StartForTest(t, controlplane.Config{CRDDir: writeTestCRD(t)})
	client, err := kubernetes.NewForConfig(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}

	info, err := client.Discovery().ServerVersion()
	if err != nil {
		t.Fatalf("get /version: %v", err)
	}
	if info.GitVersion != wantKubeVersion {
		t.Errorf("/version gitVersion = %q, want %q", info.GitVersion, wantKubeVersion)
	}

	ctx := t.Context()
	want := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: metav1.NamespaceDefault},
		Data:       map[string]string{"hello": "kvirt"},
	}
	if _, err := client.CoreV1().ConfigMaps(want.Namespace).Create(ctx, want, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create configmap: %v", err)
	}
	got, err := client.CoreV1().ConfigMaps(want.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get configmap: %v", err)
	}
	if got.Data["hello"] != "kvirt" {
		t.Errorf("configmap data = %v, want hello=kvirt", got.Data)
	}

	// The test CRD was installed and is served.
	resources, err := client.Discovery().ServerResourcesForGroupVersion("test.kvirt.io/v1")
	if err != nil || len(resources.APIResources) == 0 || resources.APIResources[0].Name != "widgets" {
		t.Errorf("discovery of test.kvirt.io/v1 = %v, %v; want widgets", resources, err)
	}

	pids, workDir := cp.PIDs(), cp.WorkDir()
	if len(pids) != 2 {
		t.Fatalf("PIDs() = %v, want etcd and kube-apiserver", pids)
	}
	if err := cp.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("%s (pid %d) still exists after Stop: kill(0) = %v", name, pid, err)
		}
	}
	if _, err := os.Stat(workDir); !os.IsNotExist(err) {
		t.Errorf("work dir %s not removed: %v", workDir, err)
	}
}

// TestContextCancelStops checks that the processes belong to the context given to Start.
func TestContextCancelStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Config{SkipCRDs: true})
	if err != nil {
		skipOrFail(t, err)
	}
	pids := cp.PIDs()
	cancel()
	if err := cp.Stop(); err != nil { // waits for the stop that cancel triggered
		t.Fatalf("stop: %v", err)
	}
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("%s (pid %d) still exists after cancel: kill(0) = %v", name, pid, err)
		}
	}
}

// skipOrFail mirrors StartForTest for tests that call Start directly.
func skipOrFail(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, controlplane.ErrMissingBinaries) && os.Getenv(controlplane.EnvCI) == "" {
		t.Skip(err)
	}
	t.Fatal(err)
}

func TestStartMissingBinaries(t *testing.T) {
	start := time.Now()
	_, err := controlplane.Start(t.Context(), controlplane.Config{BinDir: t.TempDir(), SkipCRDs: true})
	if err == nil {
		t.Fatal("Start with an empty bin dir succeeded")
	}
	if !errors.Is(err, controlplane.ErrMissingBinaries) {
		t.Errorf("Start error = %v, want ErrMissingBinaries", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Start took %s to report missing binaries", time.Since(start))
	}
}

// writeTestCRD writes a minimal namespaced CRD into a fresh directory.
func writeTestCRD(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const crd = `# a comment and an empty document first
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.kvirt.io
spec:
  group: test.kvirt.io
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`
	if err := os.WriteFile(filepath.Join(dir, "widgets.yaml"), []byte(crd), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
