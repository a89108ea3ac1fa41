package integration

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
)

// TestSchemaRejectsBadFields checks that the structural schemas refuse wrongly typed
// fields and unknown enum values, naming the field in the error.
func TestSchemaRejectsBadFields(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	dyn := dynamic.NewForConfigOrDie(c.config).Resource(virtv1.SchemeGroupVersion.WithResource("virtualmachines")).Namespace(ns)

	cases := []struct {
		name      string
		set       func(spec map[string]any)
		wantField string
		wantWhy   string
	}{{
		name:      "unknown runStrategy",
		set:       func(spec map[string]any) { spec["runStrategy"] = "Sometimes" },
		wantField: "spec.runStrategy",
		wantWhy:   "Unsupported value",
	}, {
		name: "cores is a string",
		set: func(spec map[string]any) {
			domain(spec)["cpu"] = map[string]any{"cores": "two"}
		},
		wantField: "spec.template.spec.domain.cpu.cores",
		wantWhy:   "must be of type integer",
	}, {
		name: "unknown imagePullPolicy",
		set: func(spec map[string]any) {
			tmpl := spec["template"].(map[string]any)["spec"].(map[string]any)
			tmpl["volumes"] = []any{map[string]any{"name": "disk", "containerDisk": map[string]any{
				"image": "example/disk", "imagePullPolicy": "Sometimes"}}}
		},
		wantField: "spec.template.spec.volumes[0].containerDisk.imagePullPolicy",
		wantWhy:   "Unsupported value",
	}, {
		name:      "running is a string",
		set:       func(spec map[string]any) { spec["running"] = "yes" },
		wantField: "spec.running",
		wantWhy:   "must be of type boolean",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := vmObject(t, "bad-vm")
			tc.set(obj.Object["spec"].(map[string]any))
			_, err := dyn.Create(context.Background(), obj, metav1.CreateOptions{})
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want Invalid error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.wantField) || !strings.Contains(err.Error(), tc.wantWhy) {
				t.Fatalf("error %q does not name %s with %q", err, tc.wantField, tc.wantWhy)
			}
		})
	}
}

func domain(spec map[string]any) map[string]any {
	return spec["template"].(map[string]any)["spec"].(map[string]any)["domain"].(map[string]any)
}

func vmObject(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	raw, err := yaml.Marshal(minimalVM(name, virtv1.RunStrategyHalted))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	obj.SetAPIVersion(virtv1.SchemeGroupVersion.String())
	obj.SetKind("VirtualMachine")
	return obj
}
