package validating

import (
	"encoding/json"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
)

// FuzzValidators feeds arbitrary JSON, seeded with upstream's examples, to the
// VM, VMI, replica set and preset paths (defaulting and the preset merge
// included): nothing may panic.
func FuzzValidators(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(exampleDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed examples in %s: %v", exampleDir, err)
	}
	for _, file := range files {
		_, js := readExample(f, file)
		f.Add(js)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		vm := &virtv1.VirtualMachine{}
		if json.Unmarshal(data, vm) == nil {
			_ = ValidateVM(vm, cfg, exampleRefs{})
			mutating.DefaultVM(vm, mutating.DefaultConfig(), func() string { return "uuid" })
		}
		vmi := &virtv1.VirtualMachineInstance{}
		if json.Unmarshal(data, vmi) == nil {
			_ = ValidateVMICreate(vmi, cfg)
			mutating.DefaultVMI(vmi, mutating.DefaultConfig(), metav1.Now(), func() string { return "uuid" })
			_ = ValidateVMICreate(vmi, cfg)
			_ = ValidateVMIUpdate(vmi, vmi, false)
		}
		rs := &virtv1.VirtualMachineInstanceReplicaSet{}
		if json.Unmarshal(data, rs) == nil {
			_ = ValidateReplicaSet(rs, cfg)
		}
		p := &virtv1.VirtualMachineInstancePreset{}
		if json.Unmarshal(data, p) == nil {
			_ = ValidatePreset(p)
			_ = PresetWarnings(p)
			target := &virtv1.VirtualMachineInstance{}
			if json.Unmarshal(data, target) == nil {
				_, _ = mutating.ApplyPresets(target, []*virtv1.VirtualMachineInstancePreset{p, p.DeepCopy()})
			}
		}
	})
}
