package strategy

import (
	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/commoninstancetypes"
)

// CommonInstancetypesEnabled reads
// spec.configuration.commonInstancetypesDeployment.enabled (default true).
func CommonInstancetypesEnabled(kv *virtv1.KubeVirt) bool {
	if kv == nil || kv.Spec.Configuration.CommonInstancetypesDeployment == nil {
		return true
	}
	e := kv.Spec.Configuration.CommonInstancetypesDeployment.Enabled
	return e == nil || *e
}

// CommonInstancetypes are the common cluster instancetypes and preferences.
func CommonInstancetypes() ([]Object, error) {
	prefs, err := commoninstancetypes.Preferences()
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, it := range commoninstancetypes.Instancetypes() {
		out = append(out, it)
	}
	for _, p := range prefs {
		out = append(out, p)
	}
	return out, nil
}

// Retired are the objects an earlier install may have created that the current
// configuration no longer wants: the common instancetypes and preferences once
// commonInstancetypesDeployment.enabled is false. The reconcile deletes them.
func Retired(kv *virtv1.KubeVirt) ([]Object, error) {
	if CommonInstancetypesEnabled(kv) {
		return nil, nil
	}
	objs, err := CommonInstancetypes()
	if err != nil {
		return nil, err
	}
	Label(kv, objs...)
	return objs, nil
}
