package unsupported

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/kvirt/pkg/instancetype"
)

// Refs are the instancetype and preference a VM names, as found (nil when it
// names none or it does not exist yet).
type Refs struct {
	Instancetype *instancetypev1beta1.VirtualMachineInstancetypeSpec
	Preference   *instancetypev1beta1.VirtualMachinePreferenceSpec
}

// References finds the table fields a VM's instancetype and preference would
// put into its VMIs and the template does not set itself: the VM controller
// expands them into every VMI, which admission would then refuse. Refusals are
// Invalid at spec.instancetype.name or spec.preference.name and name the field;
// warnings likewise.
func (c *Checker) References(vm *virtv1.VirtualMachine, refs Refs) (field.ErrorList, []string) {
	if vm.Spec.Template == nil || (refs.Instancetype == nil && refs.Preference == nil) {
		return nil, nil
	}
	root := field.NewPath("spec", "template", "spec")
	expand := func(it *instancetypev1beta1.VirtualMachineInstancetypeSpec, pref *instancetypev1beta1.VirtualMachinePreferenceSpec) Findings {
		vmi := &virtv1.VirtualMachineInstance{Spec: *vm.Spec.Template.Spec.DeepCopy()}
		_ = instancetype.Apply(vmi, it, pref) // conflicts are the validators' and the VM controller's to report
		return c.Spec(root, &vmi.Spec)
	}
	base := expand(nil, nil)
	withIT := base
	var errs field.ErrorList
	var warnings []string
	if it := refs.Instancetype; it != nil && vm.Spec.Instancetype != nil {
		withIT = expand(it, nil)
		e, w := refFindings(field.NewPath("spec", "instancetype", "name"), "instancetype", vm.Spec.Instancetype.Name, withIT.Without(base))
		errs, warnings = append(errs, e...), append(warnings, w...)
	}
	if pref := refs.Preference; pref != nil && vm.Spec.Preference != nil {
		e, w := refFindings(field.NewPath("spec", "preference", "name"), "preference", vm.Spec.Preference.Name,
			expand(refs.Instancetype, pref).Without(withIT))
		errs, warnings = append(errs, e...), append(warnings, w...)
	}
	return errs, warnings
}

func refFindings(fld *field.Path, what, name string, fs Findings) (field.ErrorList, []string) {
	var errs field.ErrorList
	var warnings []string
	for _, f := range fs {
		if f.Entry.Warn != "" {
			warnings = append(warnings, fmt.Sprintf("%s: the %s %q sets %s: accepted, but not supported by kvirt yet: %s",
				fld, what, name, f.Path, f.Entry.Detail()))
			continue
		}
		errs = append(errs, field.Invalid(fld, name, fmt.Sprintf("not supported by kvirt: the %s sets %s: %s",
			what, f.Path, f.Entry.Detail())))
	}
	return errs, warnings
}

// ReferenceWarnings are the admission warnings for an instancetype or a
// preference itself (either may be nil): what a VM using it, with one disk and
// the default pod interface, would be refused or warned for. The object is
// accepted (virt-operator installs the common ones).
func (c *Checker) ReferenceWarnings(it *instancetypev1beta1.VirtualMachineInstancetypeSpec,
	pref *instancetypev1beta1.VirtualMachinePreferenceSpec) []string {
	vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: virtv1.VirtualMachineInstanceSpec{
			Domain:  virtv1.DomainSpec{Devices: virtv1.Devices{Disks: []virtv1.Disk{{Name: "disk"}}}},
			Volumes: []virtv1.Volume{{Name: "disk", ContainerDisk: &virtv1.ContainerDiskSource{Image: "image"}}},
		}},
	}}
	if it != nil {
		vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "this"}
	}
	if pref != nil {
		vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: "this"}
	}
	errs, warnings := c.References(vm, Refs{Instancetype: it, Preference: pref})
	out := make([]string, 0, len(errs)+len(warnings))
	for _, e := range errs {
		out = append(out, "VirtualMachines using it are refused: "+e.Detail)
	}
	for _, w := range warnings {
		_, rest, _ := strings.Cut(w, `"this" `)
		out = append(out, "VirtualMachines using it are warned: it "+rest)
	}
	return out
}
