package compat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

type definition struct {
	Properties map[string]property `json:"properties"`
	Required   []string            `json:"required"`
}

type property struct {
	Ref   string    `json:"$ref"`
	Items *property `json:"items"`
	// AdditionalProperties describes map values.
	AdditionalProperties *property `json:"additionalProperties"`
}

func (p property) ref() string {
	switch {
	case p.Ref != "":
		return p.Ref[strings.LastIndex(p.Ref, "/")+1:]
	case p.Items != nil:
		return p.Items.ref()
	case p.AdditionalProperties != nil:
		return p.AdditionalProperties.ref()
	}
	return ""
}

// TestTypesCoverUpstreamSchema walks every served kind in the upstream schema and in
// our Go types side by side and fails on any property we lack, any field upstream
// does not have, and any required/optional mismatch.
func TestTypesCoverUpstreamSchema(t *testing.T) {
	defs := loadSwagger(t)
	roots := map[string]any{
		"v1.VirtualMachine":                         virtv1.VirtualMachine{},
		"v1.VirtualMachineInstance":                 virtv1.VirtualMachineInstance{},
		"v1.VirtualMachineInstanceMigration":        virtv1.VirtualMachineInstanceMigration{},
		"v1.VirtualMachineInstanceReplicaSet":       virtv1.VirtualMachineInstanceReplicaSet{},
		"v1.VirtualMachineInstancePreset":           virtv1.VirtualMachineInstancePreset{},
		"v1.VirtualMachineInstancePresetList":       virtv1.VirtualMachineInstancePresetList{},
		"v1.KubeVirt":                               virtv1.KubeVirt{},
		"v1.StartOptions":                           virtv1.StartOptions{},
		"v1.StopOptions":                            virtv1.StopOptions{},
		"v1.RestartOptions":                         virtv1.RestartOptions{},
		"v1.MigrateOptions":                         virtv1.MigrateOptions{},
		"v1beta1.VirtualMachineInstancetype":        instancetypev1beta1.VirtualMachineInstancetype{},
		"v1beta1.VirtualMachineClusterInstancetype": instancetypev1beta1.VirtualMachineClusterInstancetype{},
		"v1beta1.VirtualMachinePreference":          instancetypev1beta1.VirtualMachinePreference{},
		"v1beta1.VirtualMachineClusterPreference":   instancetypev1beta1.VirtualMachineClusterPreference{},
		"v1.VirtualMachineInstanceGuestAgentInfo":   virtv1.VirtualMachineInstanceGuestAgentInfo{},
		"v1.VirtualMachineInstanceFileSystemList":   virtv1.VirtualMachineInstanceFileSystemList{},
		"v1.VirtualMachineInstanceGuestOSUserList":  virtv1.VirtualMachineInstanceGuestOSUserList{},
	}
	w := &walker{defs: defs, seen: map[string]bool{}}
	for name, v := range roots {
		w.walk(name, reflect.TypeOf(v))
	}
	sort.Strings(w.problems)
	for _, p := range w.problems {
		t.Error(p)
	}
	if len(w.seen) < 250 {
		t.Errorf("only %d schema definitions compared; the walk is broken", len(w.seen))
	}
	t.Logf("compared %d schema definitions with the Go types", len(w.seen))
}

type walker struct {
	defs     map[string]definition
	seen     map[string]bool
	problems []string
}

func (w *walker) walk(defName string, typ reflect.Type) {
	if w.seen[defName] || strings.HasPrefix(defName, "k8s.io.") {
		return
	}
	w.seen[defName] = true
	def, ok := w.defs[defName]
	if !ok {
		w.problems = append(w.problems, fmt.Sprintf("%s: not in the upstream schema", defName))
		return
	}
	fields := jsonFields(typ)
	required := map[string]bool{}
	for _, r := range def.Required {
		required[r] = true
	}
	for name, prop := range def.Properties {
		f, ok := fields[name]
		if !ok {
			w.problems = append(w.problems, fmt.Sprintf("%s.%s: missing from Go type %s", defName, name, typ))
			continue
		}
		if optional := strings.Contains(f.Tag.Get("json"), ",omitempty"); required[name] == optional && name != "metadata" {
			w.problems = append(w.problems, fmt.Sprintf("%s.%s: required=%v upstream but omitempty=%v here", defName, name, required[name], optional))
		}
		if ref := prop.ref(); ref != "" {
			w.walk(ref, elem(f.Type))
		}
	}
	for name := range fields {
		if _, ok := def.Properties[name]; !ok {
			w.problems = append(w.problems, fmt.Sprintf("%s.%s: Go field upstream does not have", defName, name))
		}
	}
}

// jsonFields maps JSON names to struct fields, flattening inline embeddings.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" && f.Anonymous {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

func elem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t
}

func loadSwagger(t *testing.T) map[string]definition {
	t.Helper()
	path := os.Getenv("KVIRT_COMPAT_DIR")
	if path == "" {
		_, file, _, _ := runtime.Caller(0)
		path = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "compat")
	}
	raw, err := os.ReadFile(filepath.Join(path, "swagger.json"))
	if err != nil {
		t.Fatalf("upstream schema not found (set KVIRT_COMPAT_DIR): %v", err)
	}
	var doc struct {
		Definitions map[string]definition `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse swagger.json: %v", err)
	}
	return doc.Definitions
}
