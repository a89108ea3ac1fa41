package unsupported

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
	"kvirt.io/kvirt/pkg/virt-operator/commoninstancetypes"
)

// refVM is a VM naming an instancetype and a preference, with one disk.
func refVM() *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{
		Instancetype: &virtv1.InstancetypeMatcher{Name: "it"},
		Preference:   &virtv1.PreferenceMatcher{Name: "pref"},
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: virtv1.VirtualMachineInstanceSpec{
			Domain:  virtv1.DomainSpec{Devices: virtv1.Devices{Disks: []virtv1.Disk{{Name: "root"}}}},
			Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "x"}}},
		}},
	}}
}

func TestReferencesAttributeFieldsToTheirSource(t *testing.T) {
	c := mustChecker(t)
	it := &instancetypev1beta1.VirtualMachineInstancetypeSpec{CPU: instancetypev1beta1.CPUInstancetype{Guest: 1},
		Memory: instancetypev1beta1.MemoryInstancetype{Guest: ptr.To(resource.MustParse("1Gi")), Hugepages: &virtv1.Hugepages{PageSize: "2Mi"}}}
	pref := &instancetypev1beta1.VirtualMachinePreferenceSpec{
		Devices: &instancetypev1beta1.DevicePreferences{PreferredTPM: &virtv1.TPMDevice{}, PreferredDiskDedicatedIOThread: ptr.To(true)}}
	errs, warnings := c.References(refVM(), Refs{Instancetype: it, Preference: pref})
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`spec.instancetype.name: Invalid value: "it": not supported by kvirt: the instancetype sets spec.template.spec.domain.memory.hugepages: ` +
			"no hugepage memory backing is rendered (the pod requests hugepages the guest never uses)",
		`spec.preference.name: Invalid value: "pref": not supported by kvirt: the preference sets spec.template.spec.domain.devices.tpm: no TPM device is rendered`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `spec.preference.name: the preference "pref" sets spec.template.spec.domain.devices.disks[0].dedicatedIOThread`) {
		t.Errorf("warnings %q", warnings)
	}

	// What the template sets itself is the template's finding, not the preference's.
	vm := refVM()
	vm.Spec.Template.Spec.Domain.Devices.TPM = &virtv1.TPMDevice{}
	if errs, _ := c.References(vm, Refs{Preference: pref}); len(errs) != 0 {
		t.Errorf("a TPM the template sets itself was blamed on the preference: %v", errs)
	}
}

// TestCommonInstancetypesAndPreferences pins which of the objects virt-operator
// installs a VM may use: the Windows preference asks for Hyper-V, timers and an
// automatic input device, the dedicated and hugepage series for what kvirt
// does not render; the rest are accepted.
func TestCommonInstancetypesAndPreferences(t *testing.T) {
	c := mustChecker(t)
	prefs, err := commoninstancetypes.Preferences()
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string][]string{}
	warned := map[string]bool{}
	for _, p := range prefs {
		errs, warnings := c.References(refVM(), Refs{Preference: &p.Spec})
		refused["preference "+p.Name] = causes(errs)
		warned["preference "+p.Name] = len(warnings) > 0
	}
	for _, it := range commoninstancetypes.Instancetypes() {
		errs, _ := c.References(refVM(), Refs{Instancetype: &it.Spec})
		series, _, _ := strings.Cut(it.Name, ".")
		if got := causes(errs); len(got) > 0 {
			refused["instancetype "+series] = got
		} else if _, ok := refused["instancetype "+series]; !ok {
			refused["instancetype "+series] = nil
		}
	}
	want := map[string][]string{
		"preference windows.10": {"spec.template.spec.domain.clock.timer", "spec.template.spec.domain.devices.autoattachInputDevice",
			"spec.template.spec.domain.features.hyperv"},
		"instancetype cx1": {"spec.template.spec.domain.cpu.dedicatedCpuPlacement", "spec.template.spec.domain.cpu.isolateEmulatorThread",
			"spec.template.spec.domain.cpu.maxSockets", "spec.template.spec.domain.cpu.numa", "spec.template.spec.domain.ioThreadsPolicy",
			"spec.template.spec.domain.memory.hugepages"},
		"instancetype m1": {"spec.template.spec.domain.memory.hugepages"},
		"instancetype n1": {"spec.template.spec.domain.cpu.dedicatedCpuPlacement", "spec.template.spec.domain.cpu.isolateEmulatorThread",
			"spec.template.spec.domain.memory.hugepages"},
	}
	for name, got := range refused {
		if strings.Join(got, ",") != strings.Join(want[name], ",") {
			t.Errorf("%s: refused for %v, want %v", name, got, want[name])
		}
	}
	for _, name := range []string{"preference centos.stream9", "preference rhel.9"} {
		if !warned[name] {
			t.Errorf("%s: no warning for its dedicated IO thread", name)
		}
	}
}

// causes lists the template fields named by reference errors, sorted.
func causes(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		_, rest, _ := strings.Cut(e.Detail, " sets ")
		f, _, _ := strings.Cut(rest, ":")
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// TestObjectsWeRunAreAccepted: upstream's examples, the docs' examples and the
// e2e test VM pass the table (with warnings for the compat fields), after the
// mutating webhook's defaults for VMIs, as admission sees them.
func TestObjectsWeRunAreAccepted(t *testing.T) {
	c := mustChecker(t)
	files, _ := filepath.Glob("../validating/testdata/examples/*.yaml")
	docs, _ := filepath.Glob("../../../../docs/examples/*.yaml")
	files = append(files, docs...)
	if len(files) < 10 {
		t.Fatalf("found only %d example files", len(files))
	}
	wantWarnings := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found := exampleFindings(t, c, raw)
		// vmi-host-disk.yaml passes the table: the validators refuse hostDisk
		// unless the HostDisk feature gate is on.
		if errs := found.Errors(); len(errs) != 0 {
			t.Errorf("%s refused: %v", filepath.Base(f), errs)
		}
		if got := len(found.Warnings()); got != wantWarnings[filepath.Base(f)] {
			t.Errorf("%s: warnings %q, want %d", filepath.Base(f), found.Warnings(), wantWarnings[filepath.Base(f)])
		}
	}
}

func exampleFindings(t *testing.T, c *Checker, raw []byte) Findings {
	t.Helper()
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(raw, &tm); err != nil {
		t.Fatal(err)
	}
	switch tm.Kind {
	case "VirtualMachineInstance":
		vmi := &virtv1.VirtualMachineInstance{}
		if err := yaml.Unmarshal(raw, vmi); err != nil {
			t.Fatal(err)
		}
		mutating.DefaultVMI(vmi, mutating.DefaultConfig(), metav1.Now(), func() string { return "uuid" })
		return c.Spec(field.NewPath("spec"), &vmi.Spec)
	case "VirtualMachine", "VirtualMachineInstanceReplicaSet":
		var obj struct {
			Spec struct {
				Template *virtv1.VirtualMachineInstanceTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		return c.Spec(field.NewPath("spec", "template", "spec"), &obj.Spec.Template.Spec)
	case "VirtualMachineInstancePreset":
		p := &virtv1.VirtualMachineInstancePreset{}
		if err := yaml.Unmarshal(raw, p); err != nil {
			t.Fatal(err)
		}
		return c.Domain(field.NewPath("spec", "domain"), p.Spec.Domain)
	}
	return nil
}

func TestReferenceWarnings(t *testing.T) {
	c := mustChecker(t)
	pref := &instancetypev1beta1.VirtualMachinePreferenceSpec{Devices: &instancetypev1beta1.DevicePreferences{
		PreferredTPM: &virtv1.TPMDevice{}, PreferredDiskDedicatedIOThread: ptr.To(true)}}
	got := c.ReferenceWarnings(nil, pref)
	want := []string{
		"VirtualMachines using it are refused: not supported by kvirt: the preference sets spec.template.spec.domain.devices.tpm: no TPM device is rendered",
		"VirtualMachines using it are warned: it sets spec.template.spec.domain.devices.disks[0].dedicatedIOThread: accepted, but not supported by kvirt yet: no IO threads are rendered",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w := c.ReferenceWarnings(&instancetypev1beta1.VirtualMachineInstancetypeSpec{CPU: instancetypev1beta1.CPUInstancetype{Guest: 1}}, nil); len(w) != 0 {
		t.Errorf("a plain instancetype warned: %q", w)
	}
}
