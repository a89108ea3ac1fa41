package infer

import (
	"errors"
	"strings"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

var claims = map[string]map[string]string{
	"labelled": {LabelDefaultInstancetype: "u1.small", LabelDefaultInstancetypeKind: "VirtualMachineInstancetype",
		LabelDefaultPreference: "fedora"},
	"bare": {},
}

func labelsOf(name string) (map[string]string, error) {
	if l, ok := claims[name]; ok {
		return l, nil
	}
	return nil, errors.New("not found")
}

func vmWith(volume virtv1.Volume, policy string) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{
		Instancetype: &virtv1.InstancetypeMatcher{InferFromVolume: volume.Name, InferFromVolumeFailurePolicy: policy},
		Preference:   &virtv1.PreferenceMatcher{InferFromVolume: volume.Name, InferFromVolumeFailurePolicy: policy},
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: virtv1.VirtualMachineInstanceSpec{
			Volumes: []virtv1.Volume{volume}}},
	}}
}

func pvc(volume, claim string) virtv1.Volume {
	return virtv1.Volume{Name: volume, PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}
}

func TestMatchers(t *testing.T) {
	dv := virtv1.Volume{Name: "root", DataVolume: &virtv1.DataVolumeSource{Name: "labelled"}}
	cd := virtv1.Volume{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}}
	cases := []struct {
		name           string
		vm             *virtv1.VirtualMachine
		wantIT, wantPr string // "name/kind", "" for a removed matcher
		wantErr        string
	}{
		{"pvc labels", vmWith(pvc("root", "labelled"), ""), "u1.small/VirtualMachineInstancetype", "fedora/", ""},
		{"dataVolume reads the claim of its name", vmWith(dv, Reject), "u1.small/VirtualMachineInstancetype", "fedora/", ""},
		{"missing label rejected", vmWith(pvc("root", "bare"), ""), "", "", "has no instancetype.kubevirt.io/default-instancetype label"},
		{"missing claim rejected", vmWith(pvc("root", "gone"), Reject), "", "", `read PersistentVolumeClaim "gone"`},
		{"missing label ignored", vmWith(pvc("root", "bare"), Ignore), "", "", ""},
		{"containerDisk refused even with Ignore", vmWith(cd, Ignore), "", "", "is a containerDisk"},
		{"unknown volume", func() *virtv1.VirtualMachine {
			vm := vmWith(pvc("root", "labelled"), "")
			vm.Spec.Instancetype.InferFromVolume = "other"
			return vm
		}(), "", "fedora/", `no volume "other"`},
		{"dataVolumeTemplate refused", func() *virtv1.VirtualMachine {
			vm := vmWith(dv, Ignore)
			vm.Spec.DataVolumeTemplates = []virtv1.DataVolumeTemplateSpec{{}}
			vm.Spec.DataVolumeTemplates[0].ObjectMeta.Name = "labelled"
			return vm
		}(), "", "", "kvirt creates no DataVolumes"},
		{"unknown policy", vmWith(pvc("root", "labelled"), "Sometimes"), "", "", "inferFromVolumeFailurePolicy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Matchers(tc.vm, labelsOf)
			if tc.wantErr != "" {
				if !strings.Contains(errs.ToAggregate().Error(), tc.wantErr) {
					t.Fatalf("errors %v, want one containing %q", errs, tc.wantErr)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if got := itString(tc.vm); got != tc.wantIT {
				t.Errorf("instancetype = %q, want %q", got, tc.wantIT)
			}
			if got := prString(tc.vm); got != tc.wantPr {
				t.Errorf("preference = %q, want %q", got, tc.wantPr)
			}
		})
	}
}

func itString(vm *virtv1.VirtualMachine) string {
	if m := vm.Spec.Instancetype; m != nil {
		if m.InferFromVolume != "" || m.InferFromVolumeFailurePolicy != "" {
			return "inferFromVolume left set"
		}
		return m.Name + "/" + m.Kind
	}
	return ""
}

func prString(vm *virtv1.VirtualMachine) string {
	if m := vm.Spec.Preference; m != nil {
		if m.InferFromVolume != "" || m.InferFromVolumeFailurePolicy != "" {
			return "inferFromVolume left set"
		}
		return m.Name + "/" + m.Kind
	}
	return ""
}
