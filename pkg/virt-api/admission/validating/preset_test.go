package validating

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestValidatePreset(t *testing.T) {
	cases := []struct {
		name   string
		preset virtv1.VirtualMachineInstancePresetSpec
		want   []string // field paths
	}{
		{name: "cpu for labelled VMIs", preset: virtv1.VirtualMachineInstancePresetSpec{
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{"size": "small"}}, Domain: &virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 2}}}},
		{name: "empty selector matches all", preset: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{}}},
		{name: "domain required", preset: virtv1.VirtualMachineInstancePresetSpec{}, want: []string{"spec.domain"}},
		{name: "bad selector operator", preset: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{},
			Selector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "size", Operator: "Near"}}}},
			want: []string{"spec.selector.matchExpressions[0].operator"}},
		{name: "bad selector label value", preset: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{},
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{"size": "not a value"}}},
			want: []string{"spec.selector.matchLabels"}},
		{name: "disk bus", preset: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{Devices: virtv1.Devices{
			Disks: []virtv1.Disk{{Name: "root", Disk: &virtv1.DiskTarget{Bus: "ide"}}}}}},
			want: []string{"spec.domain.devices.disks[0].disk.bus"}},
		{name: "two bootloaders", preset: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{Firmware: &virtv1.Firmware{
			Bootloader: &virtv1.Bootloader{BIOS: &virtv1.BIOS{}, EFI: &virtv1.EFI{}}}}},
			want: []string{"spec.domain.firmware.bootloader"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range ValidatePreset(&virtv1.VirtualMachineInstancePreset{Spec: tc.preset}) {
				got = append(got, e.Field)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors at %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPresetWarnings(t *testing.T) {
	p := &virtv1.VirtualMachineInstancePreset{Spec: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{
		CPU:       &virtv1.CPU{Cores: 2},
		Memory:    &virtv1.Memory{Guest: ptr.To(resource.MustParse("128Mi"))},
		Devices:   virtv1.Devices{Watchdog: &virtv1.Watchdog{Name: "w"}, Disks: []virtv1.Disk{{Name: "d"}}},
		Resources: virtv1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}},
	}}}
	var got []string
	for _, w := range PresetWarnings(p) {
		got = append(got, strings.Fields(w)[0])
	}
	want := []string{"spec.domain.devices.disks", "spec.domain.memory", "spec.domain.resources.limits"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings for %v, want %v", got, want)
	}
	empty := &virtv1.VirtualMachineInstancePreset{Spec: virtv1.VirtualMachineInstancePresetSpec{Domain: &virtv1.DomainSpec{}}}
	if w := PresetWarnings(empty); len(w) != 0 {
		t.Errorf("warnings for an empty domain: %v", w)
	}
}
