package mutating

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func preset(name string, match map[string]string, domain virtv1.DomainSpec) *virtv1.VirtualMachineInstancePreset {
	return &virtv1.VirtualMachineInstancePreset{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec:       virtv1.VirtualMachineInstancePresetSpec{Selector: metav1.LabelSelector{MatchLabels: match}, Domain: &domain},
	}
}

func labelledVMI(labels map[string]string, mutate func(d *virtv1.DomainSpec)) *virtv1.VirtualMachineInstance {
	vmi := minimalVMI()
	vmi.Labels = labels
	if mutate != nil {
		mutate(&vmi.Spec.Domain)
	}
	return vmi
}

var small = map[string]string{"size": "small"}

func TestApplyPresets(t *testing.T) {
	cores4 := virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 4}}
	memory1G := virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}}
	cpu2 := virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}}
	cases := []struct {
		name      string
		vmi       *virtv1.VirtualMachineInstance
		presets   []*virtv1.VirtualMachineInstancePreset
		want      func(d *virtv1.DomainSpec) // the expected domain, from the VMI's
		applied   []string
		warnings  []string // substrings, one per warning
		refusedAt []string // field paths of the errors
	}{
		{name: "no presets", vmi: labelledVMI(small, nil)},
		{name: "matching preset sets cpu", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, cores4)},
			want:    func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 4} }, applied: []string{"p"}},
		{name: "selector not matching", vmi: labelledVMI(map[string]string{"size": "large"}, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, cores4)}},
		{name: "empty selector matches every VMI", vmi: labelledVMI(nil, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", nil, cores4)},
			want:    func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 4} }, applied: []string{"p"}},
		{name: "match expressions", vmi: labelledVMI(map[string]string{"os": "fedora"}, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{{
				ObjectMeta: metav1.ObjectMeta{Name: "p"},
				Spec: virtv1.VirtualMachineInstancePresetSpec{Domain: &cores4, Selector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "os", Operator: metav1.LabelSelectorOpIn, Values: []string{"fedora", "debian"}}}}},
			}},
			want: func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 4} }, applied: []string{"p"}},
		{name: "VMI's cpu wins over the preset's", vmi: labelledVMI(small, func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 6} }),
			presets:  []*virtv1.VirtualMachineInstancePreset{preset("p", small, cores4)},
			warnings: []string{`preset "p": spec.domain.cpu keeps the VMI's own value`}},
		{name: "identical setting counts as applied", vmi: labelledVMI(small, func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 4} }),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, cores4)}, applied: []string{"p"}},
		{name: "requests merged per resource, the VMI's memory kept", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi"), corev1.ResourceCPU: resource.MustParse("2")}}})},
			want:     func(d *virtv1.DomainSpec) { d.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2") },
			applied:  []string{"p"},
			warnings: []string{`preset "p": spec.domain.resources.requests[memory] keeps the VMI's own value`}},
		{name: "equal quantities in other units agree", vmi: labelledVMI(small, func(d *virtv1.DomainSpec) {
			d.Resources.Requests[corev1.ResourceMemory] = resource.MustParse("1024Mi")
		}), presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, memory1G)}, applied: []string{"p"}},
		{name: "two presets with disjoint settings both apply", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("b", small, cpu2), preset("a", small, cores4)},
			want: func(d *virtv1.DomainSpec) {
				d.CPU = &virtv1.CPU{Cores: 4}
				d.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
			}, applied: []string{"a", "b"}},
		{name: "two matching presets in conflict refuse the VMI", vmi: labelledVMI(small, nil),
			presets:   []*virtv1.VirtualMachineInstancePreset{preset("a", small, cores4), preset("b", small, virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 2}})},
			refusedAt: []string{"spec.domain.cpu"}},
		{name: "conflicting preset that does not match is harmless", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("a", small, cores4), preset("b", map[string]string{"size": "large"}, virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 2}})},
			want:    func(d *virtv1.DomainSpec) { d.CPU = &virtv1.CPU{Cores: 4} }, applied: []string{"a"}},
		{name: "invalid selector refuses the VMI", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: virtv1.VirtualMachineInstancePresetSpec{
				Domain: &cores4, Selector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "size", Operator: "Near"}}}}}},
			refusedAt: []string{"metadata.labels"}},
		{name: "excluded VMI untouched", vmi: func() *virtv1.VirtualMachineInstance {
			v := labelledVMI(small, nil)
			v.Annotations = map[string]string{virtv1.PresetExcludeAnnotation: "true"}
			return v
		}(), presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, cores4)}},
		{name: "settings presets never merge are ignored", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, virtv1.DomainSpec{Memory: &virtv1.Memory{Guest: ptr.To(resource.MustParse("128Mi"))}})}},
		{name: "firmware, features, watchdog, ioThreadsPolicy and clock", vmi: labelledVMI(small, nil),
			presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, virtv1.DomainSpec{
				Firmware: &virtv1.Firmware{Serial: "s"}, Features: &virtv1.Features{Apic: &virtv1.FeatureAPIC{}},
				Devices:         virtv1.Devices{Watchdog: &virtv1.Watchdog{Name: "w"}},
				IOThreadsPolicy: "shared", Clock: &virtv1.Clock{Timezone: "UTC", Timer: &virtv1.Timer{}},
			})},
			want: func(d *virtv1.DomainSpec) {
				d.Firmware, d.Features = &virtv1.Firmware{Serial: "s"}, &virtv1.Features{Apic: &virtv1.FeatureAPIC{}}
				d.Devices.Watchdog, d.IOThreadsPolicy = &virtv1.Watchdog{Name: "w"}, "shared"
				d.Clock = &virtv1.Clock{Timezone: "UTC", Timer: &virtv1.Timer{}}
			}, applied: []string{"p"}},
		{name: "preset timer joins the VMI's own clock offset", vmi: labelledVMI(small, func(d *virtv1.DomainSpec) {
			d.Clock = &virtv1.Clock{Utc: &virtv1.ClockOffsetUTC{}}
		}), presets: []*virtv1.VirtualMachineInstancePreset{preset("p", small, virtv1.DomainSpec{Clock: &virtv1.Clock{Timezone: "UTC", Timer: &virtv1.Timer{}}})},
			want:     func(d *virtv1.DomainSpec) { d.Clock.Timer = &virtv1.Timer{} },
			applied:  []string{"p"},
			warnings: []string{`preset "p": spec.domain.clock keeps`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.vmi.DeepCopy()
			presetsBefore := make([]*virtv1.VirtualMachineInstancePreset, len(tc.presets))
			for i, p := range tc.presets {
				presetsBefore[i] = p.DeepCopy()
			}
			res, errs := ApplyPresets(tc.vmi, tc.presets)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if !reflect.DeepEqual(got, tc.refusedAt) {
				t.Fatalf("refused at %v, want %v (%v)", got, tc.refusedAt, errs)
			}
			if !reflect.DeepEqual(res.Applied, tc.applied) {
				t.Errorf("applied %v, want %v", res.Applied, tc.applied)
			}
			checkWarnings(t, res.Warnings, tc.warnings)
			want := before.DeepCopy()
			if tc.want != nil {
				tc.want(&want.Spec.Domain)
			}
			if !equality.Semantic.DeepEqual(tc.vmi.Spec, want.Spec) {
				t.Errorf("domain\n got %+v\nwant %+v", tc.vmi.Spec.Domain, want.Spec.Domain)
			}
			checkPresetAnnotations(t, tc.vmi, before, tc.applied)
			if !equality.Semantic.DeepEqual(tc.presets, presetsBefore) {
				t.Errorf("presets modified")
			}
		})
	}
}

func checkWarnings(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("warnings %q, want %q", got, want)
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("warning %q does not contain %q", got[i], want[i])
		}
	}
}

// checkPresetAnnotations wants one kubevirt.io/v1 annotation per applied preset
// on top of the VMI's own annotations, and nothing else.
func checkPresetAnnotations(t *testing.T, vmi, before *virtv1.VirtualMachineInstance, applied []string) {
	t.Helper()
	want := map[string]string{}
	for k, v := range before.Annotations {
		want[k] = v
	}
	for _, name := range applied {
		want[virtv1.PresetAnnotationPrefix+name] = "kubevirt.io/v1"
	}
	got := vmi.Annotations
	if got == nil {
		got = map[string]string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("annotations %v, want %v", got, want)
	}
}

// TestPresetCopiesDoNotAlias checks the VMI does not share memory with the
// (informer-cached) preset it took values from.
func TestPresetCopiesDoNotAlias(t *testing.T) {
	p := preset("p", small, virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 4}})
	vmi := labelledVMI(small, nil)
	if _, errs := ApplyPresets(vmi, []*virtv1.VirtualMachineInstancePreset{p}); len(errs) > 0 {
		t.Fatal(errs)
	}
	vmi.Spec.Domain.CPU.Cores = 9
	if p.Spec.Domain.CPU.Cores != 4 {
		t.Fatalf("the preset changed with the VMI")
	}
}
