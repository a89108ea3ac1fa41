package validating

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
)

// exampleDir holds copies of upstream's example manifests (../shared/compat/examples).
const exampleDir = "testdata/examples"

// expectedRefusals are the examples upstream refuses too, with the path it names.
var expectedRefusals = map[string]string{
	// The HostDisk feature gate is off by default upstream as well.
	"vmi-host-disk.yaml": "spec.volumes[0].hostDisk",
}

// readExample returns the kind and raw JSON of one example manifest.
func readExample(tb testing.TB, path string) (string, []byte) {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	doc := strings.TrimPrefix(strings.TrimSpace(string(raw)), "---")
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(js, &tm); err != nil {
		tb.Fatalf("type of %s: %v", path, err)
	}
	return tm.Kind, js
}

// validateExample decodes a manifest of any kvirt kind and validates it as the
// webhooks would on create (VMIs defaulted first).
func validateExample(kind string, js []byte, refs Resolver) (field.ErrorList, error) {
	cfg := DefaultConfig()
	switch kind {
	case "VirtualMachine":
		vm := &virtv1.VirtualMachine{}
		if err := yaml.Unmarshal(js, vm); err != nil {
			return nil, err
		}
		return ValidateVM(vm, cfg, refs), nil
	case "VirtualMachineInstance":
		vmi := &virtv1.VirtualMachineInstance{}
		if err := yaml.Unmarshal(js, vmi); err != nil {
			return nil, err
		}
		mutating.DefaultVMI(vmi, mutating.DefaultConfig(), metav1.Now(), func() string { return "uuid" })
		return ValidateVMICreate(vmi, cfg), nil
	case "VirtualMachineInstanceReplicaSet":
		rs := &virtv1.VirtualMachineInstanceReplicaSet{}
		if err := yaml.Unmarshal(js, rs); err != nil {
			return nil, err
		}
		return ValidateReplicaSet(rs, cfg), nil
	case "VirtualMachineInstanceMigration":
		m := &virtv1.VirtualMachineInstanceMigration{}
		if err := yaml.Unmarshal(js, m); err != nil {
			return nil, err
		}
		return ValidateMigration(m, nil), nil
	case "VirtualMachineInstancePreset":
		p := &virtv1.VirtualMachineInstancePreset{}
		if err := yaml.Unmarshal(js, p); err != nil {
			return nil, err
		}
		return ValidatePreset(p), nil
	case "VirtualMachineInstancetype":
		it := &instancetypev1beta1.VirtualMachineInstancetype{}
		if err := yaml.Unmarshal(js, it); err != nil {
			return nil, err
		}
		return ValidateInstancetypeSpec(&it.Spec), nil
	case "VirtualMachinePreference":
		p := &instancetypev1beta1.VirtualMachinePreference{}
		if err := yaml.Unmarshal(js, p); err != nil {
			return nil, err
		}
		return ValidatePreferenceSpec(&p.Spec), nil
	}
	return nil, fmt.Errorf("example of kind %q has no validator", kind)
}

// exampleRefs resolves what the examples reference: instancetype csmall.
type exampleRefs struct{}

func (exampleRefs) Instancetype(kind, name string) (*instancetypev1beta1.VirtualMachineInstancetypeSpec, error) {
	if name != "csmall" {
		return nil, nil
	}
	return &instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU: instancetypev1beta1.CPUInstancetype{Guest: 1}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: ptrQ("128Mi")},
	}, nil
}

func TestUpstreamExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(exampleDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", exampleDir, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			kind, js := readExample(t, f)
			errs, err := validateExample(kind, js, exampleRefs{})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if want, ok := expectedRefusals[filepath.Base(f)]; ok {
				assertCause(t, errs, want, "")
				return
			}
			if len(errs) != 0 {
				t.Fatalf("example refused: %v", errs)
			}
		})
	}
}
