package virtapi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// exampleDir holds the copies of upstream's examples the unit tests use too.
const exampleDir = "../../../pkg/virt-api/admission/validating/testdata/examples"

// refusedExamples are refused for the reason upstream gives, with the path named.
var refusedExamples = map[string]string{"vmi-host-disk.yaml": "spec.volumes[0].hostDisk"}

// exampleOrder creates what others reference first and the migration last.
func exampleOrder(kind string) int {
	switch kind {
	case "VirtualMachineInstancetype", "VirtualMachinePreference", "VirtualMachineInstancePreset":
		return 0
	case "VirtualMachineInstanceMigration":
		return 2
	}
	return 1
}

// testExamples creates every upstream example through the apiserver, so schema
// and both webhooks see them as kubectl apply would.
func testExamples(t *testing.T, e env) {
	ns := testNamespace(t, e)
	dyn := dynamic.NewForConfigOrDie(e.admin)
	files, err := filepath.Glob(filepath.Join(exampleDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", exampleDir, err)
	}
	var objs []*unstructured.Unstructured
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(strings.TrimPrefix(strings.TrimSpace(string(raw)), "---")), &u.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		u.SetAnnotations(map[string]string{"example": filepath.Base(f)})
		objs = append(objs, u)
	}
	sort.SliceStable(objs, func(i, j int) bool { return exampleOrder(objs[i].GetKind()) < exampleOrder(objs[j].GetKind()) })
	for _, u := range objs {
		file := u.GetAnnotations()["example"]
		gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
		gvr := gv.WithResource(strings.ToLower(u.GetKind()) + "s")
		_, err := dyn.Resource(gvr).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{})
		want, refused := refusedExamples[file]
		switch {
		case refused:
			var st *apierrors.StatusError
			if !errors.As(err, &st) || st.ErrStatus.Details == nil || len(st.ErrStatus.Details.Causes) == 0 || st.ErrStatus.Details.Causes[0].Field != want {
				t.Errorf("%s: want a refusal at %s, got %v", file, want, err)
			}
		case err != nil:
			t.Errorf("%s: refused: %v", file, err)
		default:
			t.Logf("%s: %s accepted", file, u.GetKind())
		}
	}
}
