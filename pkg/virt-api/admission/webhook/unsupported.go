package webhook

import (
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-api/admission/unsupported"
)

// verdictWarn is verdict with admission warnings (kept on a denial too).
func verdictWarn(req *admissionv1.AdmissionRequest, errs field.ErrorList, warnings []string) *admissionv1.AdmissionResponse {
	resp := verdict(req, errs)
	resp.Warnings = append(resp.Warnings, warnings...)
	return resp
}

// unsupportedSpec finds the unsupported fields of a VMI spec at root; with old
// (an update) only the fields old did not use yet count.
func (s *Server) unsupportedSpec(root *field.Path, spec, old *virtv1.VirtualMachineInstanceSpec) (field.ErrorList, []string) {
	c := s.cfg.Unsupported
	if c == nil {
		return nil, nil
	}
	found := c.Spec(root, spec)
	if old != nil {
		found = found.Without(c.Spec(root, old))
	}
	return found.Errors(), found.Warnings()
}

// unsupportedVM checks a VM's template and what its instancetype and
// preference would add to it. On update the references are checked again only
// when they changed.
func (s *Server) unsupportedVM(vm, old *virtv1.VirtualMachine, refs *resolver) (field.ErrorList, []string) {
	if s.cfg.Unsupported == nil || vm.Spec.Template == nil {
		return nil, nil
	}
	root := field.NewPath("spec", "template", "spec")
	var oldSpec *virtv1.VirtualMachineInstanceSpec
	if old != nil && old.Spec.Template != nil {
		oldSpec = &old.Spec.Template.Spec
	}
	errs, warnings := s.unsupportedSpec(root, &vm.Spec.Template.Spec, oldSpec)
	if refs == nil || (old != nil && equality.Semantic.DeepEqual(old.Spec.Instancetype, vm.Spec.Instancetype) &&
		equality.Semantic.DeepEqual(old.Spec.Preference, vm.Spec.Preference)) {
		return errs, warnings
	}
	var found unsupported.Refs
	if it := vm.Spec.Instancetype; it != nil && it.Name != "" {
		found.Instancetype, _ = refs.Instancetype(it.Kind, it.Name) // a failed lookup is logged and accepted
	}
	if p := vm.Spec.Preference; p != nil && p.Name != "" {
		found.Preference = refs.Preference(p.Kind, p.Name)
	}
	refErrs, refWarnings := s.cfg.Unsupported.References(vm, found)
	return append(errs, refErrs...), append(warnings, refWarnings...)
}

// unsupportedPreset checks a preset's domain, which presets merge into VMIs.
func (s *Server) unsupportedPreset(p, old *virtv1.VirtualMachineInstancePreset) (field.ErrorList, []string) {
	c := s.cfg.Unsupported
	if c == nil {
		return nil, nil
	}
	root := field.NewPath("spec", "domain")
	found := c.Domain(root, p.Spec.Domain)
	if old != nil {
		found = found.Without(c.Domain(root, old.Spec.Domain))
	}
	return found.Errors(), found.Warnings()
}
