package strategy

import (
	"testing"

	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/commoninstancetypes"
)

func countCommon(objs []Object) (instancetypes, preferences int) {
	for _, o := range objs {
		switch o.GetObjectKind().GroupVersionKind().Kind {
		case "VirtualMachineClusterInstancetype":
			instancetypes++
		case "VirtualMachineClusterPreference":
			preferences++
		}
	}
	return instancetypes, preferences
}

// TestCommonInstancetypes: installed by default and with enabled: true, labelled
// as upstream and as part of the install; with enabled: false they leave
// Desired and become Retired (deleted by the reconcile).
func TestCommonInstancetypes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		enabled *bool
		want    bool
	}{{"default", nil, true}, {"enabled", ptr.To(true), true}, {"disabled", ptr.To(false), false}} {
		t.Run(tc.name, func(t *testing.T) {
			kv := kubevirt(func(kv *virtv1.KubeVirt) {
				if tc.enabled != nil {
					kv.Spec.Configuration.CommonInstancetypesDeployment = &virtv1.CommonInstancetypesDeployment{Enabled: tc.enabled}
				}
			})
			objs, err := Desired(kv, testCfg)
			if err != nil {
				t.Fatal(err)
			}
			its, prefs := countCommon(objs)
			retired, err := Retired(kv)
			if err != nil {
				t.Fatal(err)
			}
			rits, rprefs := countCommon(retired)
			if tc.want && (its == 0 || prefs == 0 || len(retired) != 0) {
				t.Errorf("installed %d instancetypes, %d preferences, retired %d; want all installed", its, prefs, len(retired))
			}
			if !tc.want && (its != 0 || prefs != 0 || rits == 0 || rprefs == 0) {
				t.Errorf("installed %d/%d, retired %d/%d; want none installed, all retired", its, prefs, rits, rprefs)
			}
			for _, o := range append(objs, retired...) {
				k := o.GetObjectKind().GroupVersionKind().Kind
				if k != "VirtualMachineClusterInstancetype" && k != "VirtualMachineClusterPreference" {
					continue
				}
				l := o.GetLabels()
				if l[commoninstancetypes.LabelVendor] != "kubevirt.io" || l[ManagedByLabel] != ManagedByValue || l[InstallLabel] != "uid-1" {
					t.Errorf("%s %s labels %v", k, o.GetName(), l)
				}
			}
		})
	}
}

// TestCommonInstancetypesDeletedBeforeCRDs: with RemoveWorkloads the uninstall
// removes the common objects while their CRDs still serve them.
func TestCommonInstancetypesDeletedBeforeCRDs(t *testing.T) {
	kv := kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.UninstallStrategy = UninstallRemoveWorkloads })
	objs, err := Desired(kv, testCfg)
	if err != nil {
		t.Fatal(err)
	}
	seenCRD := false
	for _, o := range ToDelete(kv, objs) {
		switch o.GetObjectKind().GroupVersionKind().Kind {
		case "CustomResourceDefinition":
			seenCRD = true
		case "VirtualMachineClusterInstancetype", "VirtualMachineClusterPreference":
			if seenCRD {
				t.Fatalf("%s deleted after a CRD", o.GetName())
			}
		}
	}
}
