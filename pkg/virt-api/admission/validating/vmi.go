package validating

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// SpecOptions say which rules apply to a VMI spec in a given context.
type SpecOptions struct {
	// MemoryFromInstancetype skips the "memory must be requested" rule because an
	// instancetype supplies it.
	MemoryFromInstancetype bool
	// RequireVolumesUsed applies the rule that every volume backs a disk or
	// filesystem; it holds for VMIs, which are defaulted first.
	RequireVolumesUsed bool
}

// ValidateVMISpec runs every spec rule shared by VMIs, VM templates and replica
// set templates; spec is the JSON path of the spec in its object.
func ValidateVMISpec(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec, cfg Config, opts SpecOptions) field.ErrorList {
	domain := spec.Child("domain")
	devices := domain.Child("devices")
	var errs field.ErrorList
	errs = append(errs, validateVolumes(spec.Child("volumes"), s.Volumes, cfg)...)
	errs = append(errs, validateDisks(devices.Child("disks"), s.Domain.Devices.Disks, s.Volumes)...)
	errs = append(errs, validateBootOrders(devices, &s.Domain.Devices)...)
	if opts.RequireVolumesUsed {
		errs = append(errs, validateVolumesUsed(spec.Child("volumes"), s)...)
	}
	errs = append(errs, validateMemory(domain, &s.Domain, !opts.MemoryFromInstancetype)...)
	errs = append(errs, validateCPU(domain, &s.Domain)...)
	errs = append(errs, validateNetworks(spec.Child("networks"), s.Networks)...)
	errs = append(errs, validateInterfaces(devices.Child("interfaces"), spec.Child("networks"), s.Domain.Devices.Interfaces, s.Networks, cfg)...)
	errs = append(errs, validateArchAndMachine(spec, s, cfg)...)
	errs = append(errs, validateNaming(spec, s)...)
	errs = append(errs, validateProbes(spec, s)...)
	errs = append(errs, validateFirmware(domain, &s.Domain)...)
	errs = append(errs, validatePodLevel(spec, s)...)
	errs = append(errs, validateVideo(devices, s, cfg)...)
	errs = append(errs, validateInputs(devices, s)...)
	return errs
}

// ValidateVMICreate validates a new VMI (after the mutating webhook defaulted it).
func ValidateVMICreate(vmi *virtv1.VirtualMachineInstance, cfg Config) field.ErrorList {
	return ValidateVMISpec(field.NewPath("spec"), &vmi.Spec, cfg, SpecOptions{RequireVolumesUsed: true})
}

// ValidateVMIUpdate rejects spec changes to an existing VMI unless the request
// comes from one of kvirt's own components, which update volumes and hotplug
// state. Metadata and status may change.
func ValidateVMIUpdate(oldVMI, newVMI *virtv1.VirtualMachineInstance, fromKvirt bool) field.ErrorList {
	if fromKvirt || equality.Semantic.DeepEqual(oldVMI.Spec, newVMI.Spec) {
		return nil
	}
	return field.ErrorList{field.Forbidden(field.NewPath("spec"), "the spec of a VirtualMachineInstance is immutable after creation")}
}

// ValidateReservedLabels forbids users from setting or changing kubevirt.io/
// labels that kvirt's controllers own on VMIs.
func ValidateReservedLabels(fld *field.Path, oldLabels, newLabels map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, key := range []string{virtv1.NodeNameLabel, virtv1.MigrationTargetNodeNameLabel, virtv1.CreatedByLabel} {
		if newLabels[key] != oldLabels[key] {
			errs = append(errs, field.Forbidden(fld.Key(key), "this label is reserved for kvirt"))
		}
	}
	return errs
}

// validateTemplateMeta checks the labels and annotations of an embedded template,
// which the apiserver does not validate for custom resources.
func validateTemplateMeta(fld *field.Path, labels map[string]string) field.ErrorList {
	return metav1validation.ValidateLabels(labels, fld.Child("labels"))
}

// IsComponent reports whether username is one of kvirt's component
// ServiceAccounts (virt-api, virt-controller, virt-handler) in the install
// namespace. A ServiceAccount of the same name in any other namespace is a
// tenant's: a namespace admin may create one, so the name alone proves nothing.
func IsComponent(username, installNamespace string) bool {
	if installNamespace == "" {
		return false
	}
	prefix := "system:serviceaccount:" + installNamespace + ":"
	name, ok := strings.CutPrefix(username, prefix)
	if !ok {
		return false
	}
	switch name {
	case rbac.APIServerName, rbac.ControllerName, rbac.HandlerName:
		return true
	}
	return false
}
