package infer

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// The labels upstream infers matchers from.
const (
	LabelDefaultInstancetype     = "instancetype.kubevirt.io/default-instancetype"
	LabelDefaultInstancetypeKind = "instancetype.kubevirt.io/default-instancetype-kind"
	LabelDefaultPreference       = "instancetype.kubevirt.io/default-preference"
	LabelDefaultPreferenceKind   = "instancetype.kubevirt.io/default-preference-kind"
)

// Failure policies of inferFromVolumeFailurePolicy.
const (
	Reject = "Reject"
	Ignore = "Ignore"
)

// ClaimLabels returns the labels of the PersistentVolumeClaim name in the VM's
// namespace; an error when it cannot be read (not found included).
type ClaimLabels func(name string) (map[string]string, error)

// matcher is the part of an instancetype or preference matcher inference reads and writes.
type matcher struct {
	fld                *field.Path
	infer, policy      *string
	name, kind         *string
	nameLabel, kindLab string
}

// Matchers fills in spec.instancetype and spec.preference of vm from the volume
// each names in inferFromVolume, clearing inferFromVolume and its failure
// policy. With policy Ignore a matcher that cannot be inferred is removed
// instead; with Reject (the default) the errors say why. A containerDisk or a
// DataVolume from the VM's dataVolumeTemplates is refused whatever the policy.
func Matchers(vm *virtv1.VirtualMachine, labels ClaimLabels) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if it := vm.Spec.Instancetype; it != nil && it.InferFromVolume != "" {
		m := matcher{fld: spec.Child("instancetype"), infer: &it.InferFromVolume, policy: &it.InferFromVolumeFailurePolicy,
			name: &it.Name, kind: &it.Kind, nameLabel: LabelDefaultInstancetype, kindLab: LabelDefaultInstancetypeKind}
		drop, e := m.resolve(vm, labels)
		errs = append(errs, e...)
		if drop {
			vm.Spec.Instancetype = nil
		}
	}
	if p := vm.Spec.Preference; p != nil && p.InferFromVolume != "" {
		m := matcher{fld: spec.Child("preference"), infer: &p.InferFromVolume, policy: &p.InferFromVolumeFailurePolicy,
			name: &p.Name, kind: &p.Kind, nameLabel: LabelDefaultPreference, kindLab: LabelDefaultPreferenceKind}
		drop, e := m.resolve(vm, labels)
		errs = append(errs, e...)
		if drop {
			vm.Spec.Preference = nil
		}
	}
	return errs
}

// resolve infers one matcher; drop says the Ignore policy removes it.
func (m matcher) resolve(vm *virtv1.VirtualMachine, labels ClaimLabels) (bool, field.ErrorList) {
	fld := m.fld.Child("inferFromVolume")
	switch *m.policy {
	case "", Reject, Ignore:
	default:
		return false, field.ErrorList{field.NotSupported(m.fld.Child("inferFromVolumeFailurePolicy"), *m.policy,
			[]string{Reject, Ignore})}
	}
	if *m.name != "" {
		return false, field.ErrorList{field.Invalid(fld, *m.infer, "name and inferFromVolume are mutually exclusive")}
	}
	claim, refuse, err := claimOf(vm, *m.infer)
	if refuse != "" {
		return false, field.ErrorList{field.Forbidden(fld, refuse)}
	}
	var name, kind string
	if err == nil {
		name, kind, err = fromLabels(claim, labels, m.nameLabel, m.kindLab)
	}
	if err != nil {
		if *m.policy == Ignore {
			return true, nil
		}
		return false, field.ErrorList{field.Invalid(fld, *m.infer, err.Error())}
	}
	*m.name, *m.kind, *m.infer, *m.policy = name, kind, "", ""
	return false, nil
}

// claimOf is the PVC behind volume name; refuse is set for a volume kvirt
// cannot infer from whatever the policy, err for one upstream's policy covers.
func claimOf(vm *virtv1.VirtualMachine, name string) (claim, refuse string, err error) {
	if vm.Spec.Template == nil {
		return "", "", fmt.Errorf("the VM has no template")
	}
	for _, v := range vm.Spec.Template.Spec.Volumes {
		if v.Name != name {
			continue
		}
		switch {
		case v.PersistentVolumeClaim != nil:
			return v.PersistentVolumeClaim.ClaimName, "", nil
		case v.DataVolume != nil:
			for _, t := range vm.Spec.DataVolumeTemplates {
				if t.ObjectMeta.Name == v.DataVolume.Name {
					return "", fmt.Sprintf("volume %q is the dataVolumeTemplate %q: kvirt creates no DataVolumes, "+
						"so there is no claim to infer from; use a persistentVolumeClaim volume or set name", name, t.ObjectMeta.Name), nil
				}
			}
			return v.DataVolume.Name, "", nil // a DataVolume's claim has its name
		case v.ContainerDisk != nil:
			return "", fmt.Sprintf("volume %q is a containerDisk, which carries no labels: only persistentVolumeClaim "+
				"and dataVolume volumes can be inferred from; set name instead", name), nil
		}
		return "", "", fmt.Errorf("volume %q is neither a persistentVolumeClaim nor a dataVolume", name)
	}
	return "", "", fmt.Errorf("no volume %q in spec.template.spec.volumes", name)
}

func fromLabels(claim string, labels ClaimLabels, nameLabel, kindLabel string) (string, string, error) {
	l, err := labels(claim)
	if err != nil {
		return "", "", fmt.Errorf("read PersistentVolumeClaim %q: %w", claim, err)
	}
	name := l[nameLabel]
	if name == "" {
		return "", "", fmt.Errorf("PersistentVolumeClaim %q has no %s label", claim, nameLabel)
	}
	return name, l[kindLabel], nil
}
