package mutating

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// PresetResult is what applying the presets of a namespace did to one VMI.
type PresetResult struct {
	// Applied names the presets merged at least in part, sorted; each is
	// recorded on the VMI as an annotation.
	Applied []string
	// Warnings say which preset settings the VMI's own values overrode.
	Warnings []string
}

// presetDomain is where preset settings land in a VMI.
var presetDomain = field.NewPath("spec", "domain")

// ApplyPresets merges into vmi every preset of presets (the presets of vmi's
// namespace) whose selector matches vmi's labels, as upstream's VMI mutator
// does on create: resources.requests (per resource), cpu, firmware, clock
// (offset and timer), features, devices.watchdog and ioThreadsPolicy are copied
// where the VMI leaves them unset; a value the VMI sets itself wins and is
// reported as a warning. Each preset that contributed is annotated on the VMI.
// A VMI annotated with virtv1.PresetExcludeAnnotation "true" is left alone.
// Presets that both match and set one setting differently, or a preset whose
// selector cannot be parsed, refuse the VMI: the errors are returned and vmi
// is unchanged. presets are not modified.
func ApplyPresets(vmi *virtv1.VirtualMachineInstance, presets []*virtv1.VirtualMachineInstancePreset) (PresetResult, field.ErrorList) {
	if vmi.Annotations[virtv1.PresetExcludeAnnotation] == "true" {
		return PresetResult{}, nil
	}
	matching, errs := matchingPresets(vmi, presets)
	if len(errs) > 0 {
		return PresetResult{}, errs
	}
	for i, a := range matching {
		for _, b := range matching[:i] {
			for _, p := range differences(a.Spec.Domain, b.Spec.Domain) {
				errs = append(errs, field.Forbidden(p, fmt.Sprintf(
					"presets %q and %q both match this VMI and set different values", b.Name, a.Name)))
			}
		}
	}
	if len(errs) > 0 {
		return PresetResult{}, errs
	}
	var res PresetResult
	for _, p := range matching {
		applied, kept := mergeDomain(&vmi.Spec.Domain, p.Spec.Domain.DeepCopy())
		for _, path := range kept {
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"preset %q: %s keeps the VMI's own value instead of the preset's", p.Name, path))
		}
		if !applied {
			continue
		}
		res.Applied = append(res.Applied, p.Name)
		if vmi.Annotations == nil {
			vmi.Annotations = map[string]string{}
		}
		vmi.Annotations[virtv1.PresetAnnotationPrefix+p.Name] = virtv1.SchemeGroupVersion.String()
	}
	return res, nil
}

// matchingPresets are the presets with a domain whose selector matches vmi's
// labels, sorted by name so the outcome does not depend on list order.
func matchingPresets(vmi *virtv1.VirtualMachineInstance, presets []*virtv1.VirtualMachineInstancePreset) ([]*virtv1.VirtualMachineInstancePreset, field.ErrorList) {
	var out []*virtv1.VirtualMachineInstancePreset
	var errs field.ErrorList
	for _, p := range presets {
		sel, err := metav1.LabelSelectorAsSelector(&p.Spec.Selector)
		if err != nil {
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "labels"),
				fmt.Sprintf("preset %q of this namespace has an invalid selector: %v", p.Name, err)))
			continue
		}
		if p.Spec.Domain != nil && sel.Matches(labels.Set(vmi.Labels)) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errs
}

// differences lists the mergeable settings a and b both set to different values.
func differences(a, b *virtv1.DomainSpec) []*field.Path {
	var out []*field.Path
	for _, name := range sortedResourceNames(a.Resources.Requests) {
		if q, ok := b.Resources.Requests[name]; ok && q.Cmp(a.Resources.Requests[name]) != 0 {
			out = append(out, presetDomain.Child("resources", "requests").Key(string(name)))
		}
	}
	differ := func(path *field.Path, setA, setB bool, va, vb any) {
		if setA && setB && !equality.Semantic.DeepEqual(va, vb) {
			out = append(out, path)
		}
	}
	differ(presetDomain.Child("cpu"), a.CPU != nil, b.CPU != nil, a.CPU, b.CPU)
	differ(presetDomain.Child("firmware"), a.Firmware != nil, b.Firmware != nil, a.Firmware, b.Firmware)
	if a.Clock != nil && b.Clock != nil {
		differ(presetDomain.Child("clock"), true, true, clockOffset(a.Clock), clockOffset(b.Clock))
		differ(presetDomain.Child("clock", "timer"), a.Clock.Timer != nil, b.Clock.Timer != nil, a.Clock.Timer, b.Clock.Timer)
	}
	differ(presetDomain.Child("features"), a.Features != nil, b.Features != nil, a.Features, b.Features)
	differ(presetDomain.Child("devices", "watchdog"), a.Devices.Watchdog != nil, b.Devices.Watchdog != nil,
		a.Devices.Watchdog, b.Devices.Watchdog)
	differ(presetDomain.Child("ioThreadsPolicy"), a.IOThreadsPolicy != "", b.IOThreadsPolicy != "",
		a.IOThreadsPolicy, b.IOThreadsPolicy)
	return out
}

// clockOffset is the offset part of a clock (everything but the timer).
func clockOffset(c *virtv1.Clock) virtv1.Clock {
	return virtv1.Clock{Timezone: c.Timezone, Utc: c.Utc}
}

// merger records what merging one preset did.
type merger struct {
	applied bool
	kept    []string
}

// take copies a preset value into an unset VMI setting: set reports whether
// each side sets it, same whether they agree, copy does the assignment.
func (m *merger) take(path *field.Path, presetSets, vmiSets, same bool, copyIn func()) {
	switch {
	case !presetSets:
	case !vmiSets:
		copyIn()
		m.applied = true
	case same:
		m.applied = true
	default:
		m.kept = append(m.kept, path.String())
	}
}

// mergeDomain merges the preset domain p (a copy the VMI may keep) into d. It
// reports whether anything of p is now in d, and the paths where d kept its own value.
func mergeDomain(d, p *virtv1.DomainSpec) (bool, []string) {
	m := &merger{}
	for _, name := range sortedResourceNames(p.Resources.Requests) {
		q := p.Resources.Requests[name]
		have, ok := d.Resources.Requests[name]
		m.take(presetDomain.Child("resources", "requests").Key(string(name)), true, ok, ok && have.Cmp(q) == 0, func() {
			if d.Resources.Requests == nil {
				d.Resources.Requests = corev1.ResourceList{}
			}
			d.Resources.Requests[name] = q
		})
	}
	same := func(a, b any) bool { return equality.Semantic.DeepEqual(a, b) }
	m.take(presetDomain.Child("cpu"), p.CPU != nil, d.CPU != nil, same(d.CPU, p.CPU), func() { d.CPU = p.CPU })
	m.take(presetDomain.Child("firmware"), p.Firmware != nil, d.Firmware != nil, same(d.Firmware, p.Firmware),
		func() { d.Firmware = p.Firmware })
	if p.Clock != nil {
		m.take(presetDomain.Child("clock"), true, d.Clock != nil, d.Clock != nil && same(clockOffset(d.Clock), clockOffset(p.Clock)),
			func() { d.Clock = &virtv1.Clock{Timezone: p.Clock.Timezone, Utc: p.Clock.Utc} })
		m.take(presetDomain.Child("clock", "timer"), p.Clock.Timer != nil, d.Clock.Timer != nil, same(d.Clock.Timer, p.Clock.Timer),
			func() { d.Clock.Timer = p.Clock.Timer })
	}
	m.take(presetDomain.Child("features"), p.Features != nil, d.Features != nil, same(d.Features, p.Features),
		func() { d.Features = p.Features })
	m.take(presetDomain.Child("devices", "watchdog"), p.Devices.Watchdog != nil, d.Devices.Watchdog != nil,
		same(d.Devices.Watchdog, p.Devices.Watchdog), func() { d.Devices.Watchdog = p.Devices.Watchdog })
	m.take(presetDomain.Child("ioThreadsPolicy"), p.IOThreadsPolicy != "", d.IOThreadsPolicy != "",
		d.IOThreadsPolicy == p.IOThreadsPolicy, func() { d.IOThreadsPolicy = p.IOThreadsPolicy })
	return m.applied, m.kept
}

func sortedResourceNames(l corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(l))
	for n := range l {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
