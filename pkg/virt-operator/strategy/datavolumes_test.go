package strategy

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

func TestServeDataVolumes(t *testing.T) {
	ours := map[string]string{ManagedByLabel: ManagedByValue, PartOfLabel: PartOfValue}
	cdi := map[string]string{"operator.cdi.kubevirt.io": ""}
	for _, tc := range []struct {
		name     string
		importer string
		observed map[string]ObservedCRD
		want     bool
	}{
		{name: "no importer image", observed: nil, want: false},
		{name: "no CRDs yet", importer: "i", want: true},
		{name: "ours already", importer: "i", want: true, observed: map[string]ObservedCRD{
			"datavolumes.cdi.kubevirt.io": {Exists: true, Labels: ours}, "datasources.cdi.kubevirt.io": {Exists: true, Labels: ours}}},
		{name: "CDI's datavolumes", importer: "i", want: false, observed: map[string]ObservedCRD{
			"datavolumes.cdi.kubevirt.io": {Exists: true, Labels: cdi}}},
		{name: "someone's datasources only", importer: "i", want: false, observed: map[string]ObservedCRD{
			"datavolumes.cdi.kubevirt.io": {Exists: true, Labels: ours}, "datasources.cdi.kubevirt.io": {Exists: true}}},
		{name: "managed by another operator", importer: "i", want: false, observed: map[string]ObservedCRD{
			"datavolumes.cdi.kubevirt.io": {Exists: true, Labels: map[string]string{ManagedByLabel: "cdi-operator", PartOfLabel: PartOfValue}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ServeDataVolumes(tc.importer, tc.observed); got != tc.want {
				t.Errorf("ServeDataVolumes = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDesiredServesDataVolumes: only with ServeDataVolumes does the install hold
// the cdi.kubevirt.io CRDs, labelled as the operator's, and run virt-controller's
// DataVolume controller with the (registry-overridden) importer image.
func TestDesiredServesDataVolumes(t *testing.T) {
	cfg := testCfg
	cfg.Images.Importer = "kvirt.local/importer:sha256-eeee"
	for _, serve := range []bool{false, true} {
		cfg.ServeDataVolumes = serve
		objs, err := Desired(kubevirt(nil), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var crds []string
		var ctrl *appsv1.Deployment
		for _, o := range objs {
			if c, ok := o.(*apiextensionsv1.CustomResourceDefinition); ok && c.Spec.Group == "cdi.kubevirt.io" {
				crds = append(crds, c.Name)
				if c.Labels[ManagedByLabel] != ManagedByValue || c.Labels[PartOfLabel] != PartOfValue {
					t.Errorf("%s labels %v", c.Name, c.Labels)
				}
			}
			if d, ok := o.(*appsv1.Deployment); ok && d.Name == VirtController {
				ctrl = d
			}
		}
		args := ctrl.Spec.Template.Spec.Containers[0].Args
		if !serve {
			if len(crds) != 0 || slices.Contains(args, "--datavolume-controller") {
				t.Errorf("not serving: crds %v args %v", crds, args)
			}
			continue
		}
		if !slices.Equal(crds, DataVolumeCRDNames) {
			t.Errorf("crds %v, want %v", crds, DataVolumeCRDNames)
		}
		i := slices.Index(args, "--importer-image")
		if !slices.Contains(args, "--datavolume-controller") || i < 0 || args[i+1] != cfg.Images.Importer {
			t.Errorf("virt-controller args %v", args)
		}
	}
	kv := kubevirt(nil)
	kv.Spec.ImageRegistry = "registry.example/kv"
	if got := EffectiveImages(kv, cfg.Images).Importer; got != "registry.example/kv/importer:sha256-eeee" {
		t.Errorf("importer with imageRegistry: %s", got)
	}
}
