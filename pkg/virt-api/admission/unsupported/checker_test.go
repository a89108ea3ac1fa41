package unsupported

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func mustChecker(tb testing.TB) *Checker {
	tb.Helper()
	c, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestCompileRefusesBadEntries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry Entry
		want  string
	}{
		{"no spec prefix", Entry{Path: "domain.devices.tpm"}, `must start with "spec."`},
		{"unknown field", Entry{Path: "spec.domain.devices.tpmx"}, `no field "tpmx"`},
		{"list without marker", Entry{Path: "spec.domain.devices.disks.io"}, "not an object"},
		{"marker on a non-list", Entry{Path: "spec.domain.devices.tpm[*].enabled"}, "not a list"},
		{"marker at the end", Entry{Path: "spec.volumes[*]"}, "must be followed"},
		{"IfTrue on an object", Entry{Path: "spec.domain.devices.tpm", IfTrue: true}, "IfTrue"},
		{"honoured on a bool", Entry{Path: "spec.domain.devices.tpm.enabled", Honoured: []string{"x"}}, "honoured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]Entry{tc.entry})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	dup := []Entry{{Path: "spec.domain.devices.tpm"}, {Path: "spec.domain.devices.tpm"}}
	if _, err := Compile(dup); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("a repeated path: %v", err)
	}
	mixed := []Entry{{Path: "spec.domain.devices.disks"}, {Path: "spec.domain.devices.disks[*].io"}}
	if _, err := Compile(mixed); err == nil || !strings.Contains(err.Error(), "both as a list") {
		t.Errorf("a list used both ways: %v", err)
	}
}

// TestTPMRefused is the acceptance line, message and all.
func TestTPMRefused(t *testing.T) {
	spec := virtv1.VirtualMachineInstanceSpec{Domain: virtv1.DomainSpec{Devices: virtv1.Devices{TPM: &virtv1.TPMDevice{}}}}
	errs := mustChecker(t).Spec(field.NewPath("spec"), &spec).Errors()
	want := "spec.domain.devices.tpm: Unsupported value: {}: not supported by kvirt: no TPM device is rendered"
	if len(errs) != 1 || errs[0].Error() != want {
		t.Fatalf("errors %v, want [%s]", errs, want)
	}
}

func TestFindings(t *testing.T) {
	type out struct{ errs, warnings []string }
	for _, tc := range []struct {
		name string
		set  func(s *virtv1.VirtualMachineInstanceSpec)
		want out
	}{
		{"nothing set", func(*virtv1.VirtualMachineInstanceSpec) {}, out{}},
		{"false asks for nothing", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.CPU = &virtv1.CPU{DedicatedCPUPlacement: ptr.To(false)}
			s.Domain.Devices.BlockMultiQueue = ptr.To(false)
		}, out{}},
		{"true is refused, with the gate", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.CPU = &virtv1.CPU{DedicatedCPUPlacement: ptr.To(true)}
		}, out{errs: []string{"spec.domain.cpu.dedicatedCpuPlacement: Unsupported value: true: not supported by kvirt: " +
			"no vCPU is pinned to a host CPU (upstream feature gate CPUManager)"}}},
		{"honoured value accepted", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Architecture = "amd64"
			s.Domain.Devices.Disks = []virtv1.Disk{{Name: "c", Cdrom: &virtv1.CDRomTarget{Tray: "closed"}}}
		}, out{}},
		{"other value refused at the element's index", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.Devices.Disks = []virtv1.Disk{{Name: "a"}, {Name: "c", Cdrom: &virtv1.CDRomTarget{Tray: "open"}}}
		}, out{errs: []string{`spec.domain.devices.disks[1].cdrom.tray: Unsupported value: "open": not supported by kvirt: a cdrom's tray is always closed`}}},
		{"compat fields warned", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.Devices.Disks = []virtv1.Disk{{Name: "a"}, {Name: "b", DedicatedIOThread: ptr.To(true)}}
		}, out{warnings: []string{"spec.domain.devices.disks[1].dedicatedIOThread: accepted, but not supported by kvirt yet: " +
			"no IO threads are rendered"}}},
		{"refused child of an implemented field", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Volumes = []virtv1.Volume{{Name: "p", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
				ClaimName: "c", Hotpluggable: ptr.To(true)}}}
		}, out{
			errs: []string{"spec.volumes[0].persistentVolumeClaim.hotpluggable: Unsupported value: true: not supported by kvirt: no volume is hotplugged"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &virtv1.VirtualMachineInstanceSpec{}
			tc.set(s)
			found := mustChecker(t).Spec(field.NewPath("spec"), s)
			var got out
			for _, e := range found.Errors() {
				got.errs = append(got.errs, e.Error())
			}
			got.warnings = found.Warnings()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestTemplateAndPresetRoots(t *testing.T) {
	c := mustChecker(t)
	spec := &virtv1.VirtualMachineInstanceSpec{Domain: virtv1.DomainSpec{Devices: virtv1.Devices{Watchdog: &virtv1.Watchdog{Name: "w"}}}}
	if errs := c.Spec(field.NewPath("spec", "template", "spec"), spec).Errors(); len(errs) != 1 ||
		errs[0].Field != "spec.template.spec.domain.devices.watchdog" {
		t.Errorf("template: %v", errs)
	}
	if errs := c.Domain(field.NewPath("spec", "domain"), &spec.Domain).Errors(); len(errs) != 1 ||
		errs[0].Field != "spec.domain.devices.watchdog" {
		t.Errorf("preset: %v", errs)
	}
}

func TestWithoutKeepsOnlyNewFields(t *testing.T) {
	c := mustChecker(t)
	root := field.NewPath("spec")
	old := &virtv1.VirtualMachineInstanceSpec{Domain: virtv1.DomainSpec{Devices: virtv1.Devices{TPM: &virtv1.TPMDevice{}}}}
	cur := old.DeepCopy()
	cur.Domain.Devices.Sound = &virtv1.SoundDevice{Name: "s"}
	errs := c.Spec(root, cur).Without(c.Spec(root, old)).Errors()
	if len(errs) != 1 || errs[0].Field != "spec.domain.devices.sound" {
		t.Errorf("errors %v, want only the new sound device", errs)
	}
}

// BenchmarkSpec measures one check of a VMI spec that sets many table paths'
// prefixes (disks, interfaces, volumes, CPU) but no table field.
func BenchmarkSpec(b *testing.B) {
	c := mustChecker(b)
	spec := &virtv1.VirtualMachineInstanceSpec{
		Domain: virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 2, DedicatedCPUPlacement: ptr.To(false)},
			Devices: virtv1.Devices{
				Disks:      []virtv1.Disk{{Name: "a", Disk: &virtv1.DiskTarget{Bus: "virtio"}}, {Name: "b", Cdrom: &virtv1.CDRomTarget{Tray: "closed"}}},
				Interfaces: []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}},
			}},
		Networks: []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}},
		Volumes: []virtv1.Volume{{Name: "a", ContainerDisk: &virtv1.ContainerDiskSource{Image: "x"}},
			{Name: "b", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh"}}},
	}
	root := field.NewPath("spec")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(c.Spec(root, spec)) != 0 {
			b.Fatal("unexpected finding")
		}
	}
}
