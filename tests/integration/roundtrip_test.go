package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// unservedKinds are upstream kinds kvirt deliberately does not serve, with the
// reason; none among the examples today (presets are served since kvirt applies them).
var unservedKinds = map[string]string{}

// TestExamplesRoundTrip creates every upstream example of a served kind through the
// generated typed client and checks that reading it back loses or changes no field.
func TestExamplesRoundTrip(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	files, err := filepath.Glob(filepath.Join(compatDir(t), "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	served := 0
	for _, file := range files {
		for i, doc := range splitYAML(t, file) {
			name := fmt.Sprintf("%s#%d", filepath.Base(file), i)
			kind := kindOf(t, doc)
			if why, ok := unservedKinds[kind]; ok {
				t.Logf("%s: %s not served: %s", name, kind, why)
				continue
			}
			served++
			t.Run(name, func(t *testing.T) { roundTripDoc(t, c, ns, kind, doc) })
		}
	}
	if served < 15 {
		t.Fatalf("only %d served examples found; the example set looks incomplete", served)
	}
}

func roundTripDoc(t *testing.T, c clients, ns, kind string, doc []byte) {
	ctx := context.Background()
	kv, it := c.kvirt.KubevirtV1(), c.kvirt.InstancetypeV1beta1()
	switch kind {
	case "VirtualMachine":
		roundTrip(t, doc, func(o *virtv1.VirtualMachine) (*virtv1.VirtualMachine, error) {
			return kv.VirtualMachines(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineInstance":
		roundTrip(t, doc, func(o *virtv1.VirtualMachineInstance) (*virtv1.VirtualMachineInstance, error) {
			return kv.VirtualMachineInstances(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineInstanceMigration":
		roundTrip(t, doc, func(o *virtv1.VirtualMachineInstanceMigration) (*virtv1.VirtualMachineInstanceMigration, error) {
			return kv.VirtualMachineInstanceMigrations(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineInstanceReplicaSet":
		roundTrip(t, doc, func(o *virtv1.VirtualMachineInstanceReplicaSet) (*virtv1.VirtualMachineInstanceReplicaSet, error) {
			return kv.VirtualMachineInstanceReplicaSets(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineInstancePreset":
		roundTrip(t, doc, func(o *virtv1.VirtualMachineInstancePreset) (*virtv1.VirtualMachineInstancePreset, error) {
			return kv.VirtualMachineInstancePresets(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "KubeVirt":
		roundTrip(t, doc, func(o *virtv1.KubeVirt) (*virtv1.KubeVirt, error) {
			return kv.KubeVirts(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineInstancetype":
		roundTrip(t, doc, func(o *instancetypev1beta1.VirtualMachineInstancetype) (*instancetypev1beta1.VirtualMachineInstancetype, error) {
			return it.VirtualMachineInstancetypes(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachinePreference":
		roundTrip(t, doc, func(o *instancetypev1beta1.VirtualMachinePreference) (*instancetypev1beta1.VirtualMachinePreference, error) {
			return it.VirtualMachinePreferences(ns).Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineClusterInstancetype":
		roundTrip(t, doc, func(o *instancetypev1beta1.VirtualMachineClusterInstancetype) (*instancetypev1beta1.VirtualMachineClusterInstancetype, error) {
			return it.VirtualMachineClusterInstancetypes().Create(ctx, o, metav1.CreateOptions{})
		})
	case "VirtualMachineClusterPreference":
		roundTrip(t, doc, func(o *instancetypev1beta1.VirtualMachineClusterPreference) (*instancetypev1beta1.VirtualMachineClusterPreference, error) {
			return it.VirtualMachineClusterPreferences().Create(ctx, o, metav1.CreateOptions{})
		})
	default:
		t.Fatalf("example of kind %q is neither served nor listed as unserved", kind)
	}
}

// roundTrip decodes doc strictly into a T (so a field our types lack fails here),
// creates it, and compares what the server returns with both the typed object sent
// and the original document.
func roundTrip[T any, PT interface {
	*T
	metav1.Object
}](t *testing.T, doc []byte, create func(PT) (PT, error)) {
	t.Helper()
	sent := PT(new(T))
	if err := yaml.UnmarshalStrict(doc, sent); err != nil {
		t.Fatalf("example has fields the Go types do not know: %v", err)
	}
	got, err := create(sent)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !equality.Semantic.DeepEqual(specAndStatus(t, sent), specAndStatus(t, got)) {
		t.Errorf("object changed on the way through the apiserver:\nsent: %s\ngot:  %s", toJSON(t, sent), toJSON(t, got))
	}
	var orig, back map[string]any
	if err := yaml.Unmarshal(doc, &orig); err != nil {
		t.Fatalf("parse example: %v", err)
	}
	if err := json.Unmarshal([]byte(toJSON(t, got)), &back); err != nil {
		t.Fatalf("parse read-back: %v", err)
	}
	// Server-managed metadata is compared through labels below; typed clients drop
	// apiVersion and kind on decode, which is client-go's behaviour, not data loss.
	for _, k := range []string{"metadata", "apiVersion", "kind"} {
		delete(orig, k)
	}
	for _, diff := range missingOrChanged("", orig, back) {
		t.Errorf("field lost or changed: %s", diff)
	}
	if !reflect.DeepEqual(sent.GetLabels(), got.GetLabels()) {
		t.Errorf("labels changed: sent %v, got %v", sent.GetLabels(), got.GetLabels())
	}
}

// specAndStatus returns the object without its metadata, for comparison.
func specAndStatus(t *testing.T, obj any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(toJSON(t, obj)), &m); err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	delete(m, "metadata")
	delete(m, "apiVersion")
	delete(m, "kind")
	return m
}

// missingOrChanged lists every leaf of want that is absent from or different in got.
// Nulls in want count as absent; quantities compare by value ("1Gi" == "1024Mi").
func missingOrChanged(path string, want, got any) []string {
	switch w := want.(type) {
	case nil:
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %v", path, got)}
		}
		var out []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, missingOrChanged(path+"."+k, w[k], g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, missingOrChanged(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if reflect.DeepEqual(want, got) || sameNumber(want, got) || sameQuantity(want, got) {
			return nil
		}
		return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
	}
}

func sameNumber(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func sameQuantity(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if !aok || !bok {
		return false
	}
	qa, errA := resource.ParseQuantity(as)
	qb, errB := resource.ParseQuantity(bs)
	return errA == nil && errB == nil && qa.Cmp(qb) == 0
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(raw)
}

// splitYAML returns the non-empty documents of a multi-document YAML file.
func splitYAML(t *testing.T, file string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	r := utilyaml.NewYAMLReader(bufioReader(raw))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("split %s: %v", file, err)
		}
		if len(bytes.TrimSpace(doc)) > 0 && strings.Contains(string(doc), "kind:") {
			docs = append(docs, doc)
		}
	}
}

func kindOf(t *testing.T, doc []byte) string {
	t.Helper()
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatalf("read kind: %v", err)
	}
	return meta.Kind
}
