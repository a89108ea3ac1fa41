package validating

import (
	"encoding/json"
	"fmt"
	"sort"

	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// mergedDomainFields are the spec.domain fields (and, for devices and
// resources, their children) that the VMI mutator merges from a preset; the
// mutating package's ApplyPresets is the other half of this list.
var mergedDomainFields = map[string][]string{
	"cpu": nil, "firmware": nil, "clock": nil, "features": nil, "ioThreadsPolicy": nil,
	"devices":   {"watchdog"},
	"resources": {"requests"},
}

// ValidatePreset validates a VirtualMachineInstancePreset as upstream does (a
// domain is required; its disks and firmware must be valid) and, unlike
// upstream, also refuses a selector that cannot be parsed: upstream accepts it
// and then refuses every VMI created in the namespace.
func ValidatePreset(p *virtv1.VirtualMachineInstancePreset) field.ErrorList {
	spec := field.NewPath("spec")
	errs := metav1validation.ValidateLabelSelector(&p.Spec.Selector,
		metav1validation.LabelSelectorValidationOptions{}, spec.Child("selector"))
	d := p.Spec.Domain
	if d == nil {
		return append(errs, field.Required(spec.Child("domain"), "a preset needs the domain settings it gives"))
	}
	domain := spec.Child("domain")
	for i := range d.Devices.Disks {
		idx := domain.Child("devices", "disks").Index(i)
		errs = append(errs, validateDNSLabel(idx.Child("name"), d.Devices.Disks[i].Name)...)
		errs = append(errs, validateDiskTarget(idx, &d.Devices.Disks[i])...)
		errs = append(errs, validateDiskTuning(idx, &d.Devices.Disks[i])...)
	}
	return append(errs, validateFirmware(domain, d)...)
}

// PresetWarnings names the settings of a preset's domain that presets never
// merge into a VMI (upstream ignores them the same way), so the user learns the
// preset will not give them.
func PresetWarnings(p *virtv1.VirtualMachineInstancePreset) []string {
	if p.Spec.Domain == nil {
		return nil
	}
	var fields map[string]json.RawMessage
	raw, err := json.Marshal(p.Spec.Domain)
	if err != nil || json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	var ignored []string
	for name, value := range fields {
		children, merged := mergedDomainFields[name]
		switch {
		case !merged:
			ignored = append(ignored, "spec.domain."+name)
		case children != nil:
			ignored = append(ignored, ignoredChildren("spec.domain."+name, value, children)...)
		}
	}
	sort.Strings(ignored)
	out := make([]string, 0, len(ignored))
	for _, f := range ignored {
		out = append(out, fmt.Sprintf("%s is never applied to VMIs by a preset: only cpu, firmware, clock, "+
			"features, ioThreadsPolicy, devices.watchdog and resources.requests are", f))
	}
	return out
}

// ignoredChildren lists the keys of the JSON object value that are not in merged.
func ignoredChildren(path string, value json.RawMessage, merged []string) []string {
	var children map[string]json.RawMessage
	if json.Unmarshal(value, &children) != nil {
		return nil
	}
	var out []string
	for name := range children {
		if !contains(merged, name) {
			out = append(out, path+"."+name)
		}
	}
	return out
}
