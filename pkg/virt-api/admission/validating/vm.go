package validating

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// Kinds a VM may reference; matching is case-insensitive, as upstream's.
const (
	KindInstancetype        = "virtualmachineinstancetype"
	KindClusterInstancetype = "virtualmachineclusterinstancetype"
	KindPreference          = "virtualmachinepreference"
	KindClusterPreference   = "virtualmachineclusterpreference"
)

var (
	validRunStrategies = []string{
		string(virtv1.RunStrategyAlways), string(virtv1.RunStrategyRerunOnFailure), string(virtv1.RunStrategyManual),
		string(virtv1.RunStrategyHalted), string(virtv1.RunStrategyOnce), string(virtv1.RunStrategyWaitAsReceiver),
	}
	instancetypeKinds = []string{KindInstancetype, KindClusterInstancetype}
	preferenceKinds   = []string{KindPreference, KindClusterPreference}
)

// Resolver finds what a VM references; kinds are lower-case and namespaced kinds
// are looked up in the VM's namespace. It is the validators' only lookup.
type Resolver interface {
	// Instancetype returns the spec of an instancetype, or nil when none exists.
	Instancetype(kind, name string) (*instancetypev1beta1.VirtualMachineInstancetypeSpec, error)
}

// ValidateVM validates a VirtualMachine on create and update. A nil resolver
// skips the checks that need lookups.
func ValidateVM(vm *virtv1.VirtualMachine, cfg Config, refs Resolver) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	switch {
	case vm.Spec.Running != nil && vm.Spec.RunStrategy != nil:
		errs = append(errs, field.Invalid(spec.Child("running"), *vm.Spec.Running, "running and runStrategy are mutually exclusive"))
	case vm.Spec.Running == nil && vm.Spec.RunStrategy == nil:
		errs = append(errs, field.Required(spec.Child("runStrategy"), "one of running and runStrategy must be set"))
	}
	if rs := vm.Spec.RunStrategy; rs != nil && !contains(validRunStrategies, *rs) {
		errs = append(errs, field.NotSupported(spec.Child("runStrategy"), *rs, validRunStrategies))
	}
	if vm.Spec.Template == nil {
		return append(errs, field.Required(spec.Child("template"), "a VirtualMachine needs a template"))
	}
	tmpl := spec.Child("template")
	errs = append(errs, validateTemplateMeta(tmpl.Child("metadata"), vm.Spec.Template.ObjectMeta.Labels)...)
	errs = append(errs, ValidateVMISpec(tmpl.Child("spec"), &vm.Spec.Template.Spec, cfg,
		SpecOptions{MemoryFromInstancetype: vm.Spec.Instancetype != nil})...)
	errs = append(errs, validateMatchers(spec, vm, refs)...)
	errs = append(errs, validateInstancetypeConflicts(tmpl.Child("spec"), vm)...)
	errs = append(errs, validateDataVolumeTemplates(spec, vm)...)
	return errs
}

// validateMatchers checks spec.instancetype and spec.preference: a name (or
// inferFromVolume, which the mutating webhook resolves on create) and a known kind. As upstream, a reference that does not
// resolve yet (or cannot be looked up) is accepted, so manifests apply in any
// order; the VM controller reports it on the VM and starts the VM once the object
// exists. An instancetype that is found is checked against the template.
func validateMatchers(spec *field.Path, vm *virtv1.VirtualMachine, refs Resolver) field.ErrorList {
	var errs field.ErrorList
	if it := vm.Spec.Instancetype; it != nil {
		kind, kindErrs := validateMatcher(spec.Child("instancetype"), it.Name, it.Kind, it.InferFromVolume,
			KindClusterInstancetype, instancetypeKinds)
		errs = append(errs, kindErrs...)
		if len(kindErrs) == 0 && it.Name != "" && refs != nil {
			if s, err := refs.Instancetype(kind, it.Name); err == nil && s != nil {
				errs = append(errs, validateGuestMemory(spec, vm, s)...)
			}
		}
	}
	if p := vm.Spec.Preference; p != nil {
		_, kindErrs := validateMatcher(spec.Child("preference"), p.Name, p.Kind, p.InferFromVolume,
			KindClusterPreference, preferenceKinds)
		errs = append(errs, kindErrs...)
	}
	return errs
}

// validateMatcher checks one matcher and returns its lower-case kind.
func validateMatcher(fld *field.Path, name, kind, infer, defaultKind string, kinds []string) (string, field.ErrorList) {
	if name == "" && infer == "" {
		return "", field.ErrorList{field.Required(fld.Child("name"), "name or inferFromVolume is required")}
	}
	if name != "" && infer != "" {
		return "", field.ErrorList{field.Invalid(fld.Child("inferFromVolume"), infer, "name and inferFromVolume are mutually exclusive")}
	}
	if infer != "" {
		// The mutating webhook resolves inferFromVolume when the VM is created
		// (package infer) and clears it; one still set here is an update, which
		// upstream does not infer on either: never accept and ignore it.
		return "", field.ErrorList{field.Forbidden(fld.Child("inferFromVolume"), fmt.Sprintf(
			"inferFromVolume %q is resolved from the %s label of the volume's claim only when the VM is created; "+
				"set name instead", infer, inferLabel(defaultKind)))}
	}
	k := strings.ToLower(kind)
	if k == "" {
		k = defaultKind
	}
	if !contains(kinds, k) {
		return "", field.ErrorList{field.NotSupported(fld.Child("kind"), kind, kinds)}
	}
	return k, nil
}

// inferLabel is the label upstream infers a matcher of defaultKind from.
func inferLabel(defaultKind string) string {
	if defaultKind == KindClusterPreference {
		return "instancetype.kubevirt.io/default-preference"
	}
	return "instancetype.kubevirt.io/default-instancetype"
}

// validateInstancetypeConflicts rejects template fields an instancetype owns.
// A value equal to the instancetype's is not known here, so any setting of CPU
// topology, CPU/memory resources or a differing guest memory conflicts.
func validateInstancetypeConflicts(spec *field.Path, vm *virtv1.VirtualMachine) field.ErrorList {
	if vm.Spec.Instancetype == nil {
		return nil
	}
	const msg = "conflicts with the selected instance type"
	d := &vm.Spec.Template.Spec.Domain
	domain := spec.Child("domain")
	var errs field.ErrorList
	if c := d.CPU; c != nil {
		for _, f := range []struct {
			name string
			set  bool
		}{{"sockets", c.Sockets != 0}, {"cores", c.Cores != 0}, {"threads", c.Threads != 0}, {"model", c.Model != ""},
			{"dedicatedCpuPlacement", c.DedicatedCPUPlacement != nil}, {"numa", c.NUMA != nil}, {"realtime", c.Realtime != nil}} {
			if f.set {
				errs = append(errs, field.Invalid(domain.Child("cpu", f.name), "", msg))
			}
		}
	}
	res := domain.Child("resources")
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := d.Resources.Requests[r]; ok {
			errs = append(errs, field.Invalid(res.Child("requests", string(r)), "", msg))
		}
		if _, ok := d.Resources.Limits[r]; ok {
			errs = append(errs, field.Invalid(res.Child("limits", string(r)), "", msg))
		}
	}
	if d.Memory != nil && d.Memory.Hugepages != nil {
		errs = append(errs, field.Invalid(domain.Child("memory", "hugepages"), "", msg))
	}
	return errs
}

// validateGuestMemory compares a VM's memory.guest with the instancetype's: a
// different value conflicts; an equal one is what the instancetype sets anyway.
func validateGuestMemory(spec *field.Path, vm *virtv1.VirtualMachine, it *instancetypev1beta1.VirtualMachineInstancetypeSpec) field.ErrorList {
	m := vm.Spec.Template.Spec.Domain.Memory
	if m == nil || m.Guest == nil || it.Memory.Guest == nil || m.Guest.Cmp(*it.Memory.Guest) == 0 {
		return nil
	}
	fld := spec.Child("template", "spec", "domain", "memory", "guest")
	return field.ErrorList{field.Invalid(fld, m.Guest.String(), "conflicts with the selected instance type's guest memory "+it.Memory.Guest.String())}
}

// validateDataVolumeTemplates requires each template to be named and used.
func validateDataVolumeTemplates(spec *field.Path, vm *virtv1.VirtualMachine) field.ErrorList {
	used := map[string]bool{}
	for _, v := range vm.Spec.Template.Spec.Volumes {
		if v.DataVolume != nil {
			used[v.DataVolume.Name] = true
		}
		if v.PersistentVolumeClaim != nil {
			used[v.PersistentVolumeClaim.ClaimName] = true
		}
	}
	var errs field.ErrorList
	for i, t := range vm.Spec.DataVolumeTemplates {
		fld := spec.Child("dataVolumeTemplates").Index(i)
		switch {
		case t.ObjectMeta.Name == "":
			errs = append(errs, field.Required(fld.Child("metadata", "name"), ""))
		case !used[t.ObjectMeta.Name]:
			errs = append(errs, field.Invalid(fld.Child("metadata", "name"), t.ObjectMeta.Name, "no volume of the template refers to this DataVolume"))
		}
		if t.ObjectMeta.Namespace != "" && vm.Namespace != "" && t.ObjectMeta.Namespace != vm.Namespace {
			errs = append(errs, field.Invalid(fld.Child("metadata", "namespace"), t.ObjectMeta.Namespace, "must be the VirtualMachine's namespace"))
		}
	}
	return errs
}
