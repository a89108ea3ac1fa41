package virtoperator

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"kvirt.io/kvirt/manifests"
)

// TestReleaseManifestsApply: the apiserver accepts every object of the release
// manifests (server-side dry run, so the install of TestLifecycle is untouched).
func TestReleaseManifestsApply(t *testing.T) {
	c := newClients(t)
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "..", "..", "manifests", "release")
	for _, file := range []string{"kvirt-operator.yaml", "kvirt-cr.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifests.SplitYAML(b)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, d := range docs {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(d, &u.Object); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			gvk := u.GroupVersionKind()
			plural := map[string]string{"KubeVirt": "kubevirts"}[gvk.Kind]
			if plural == "" {
				plural = strings.ToLower(gvk.Kind) + "s"
			}
			r := c.dyn.Resource(schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: plural})
			opts := metav1.ApplyOptions{FieldManager: "release-test", Force: true, DryRun: []string{metav1.DryRunAll}}
			if u.GetNamespace() != "" {
				_, err = r.Namespace(u.GetNamespace()).Apply(bg, u.GetName(), u, opts)
			} else {
				_, err = r.Apply(bg, u.GetName(), u, opts)
			}
			if err != nil {
				t.Errorf("%s: %s %s rejected: %v", file, gvk.Kind, u.GetName(), err)
			}
		}
	}
}
