package commoninstancetypes

import (
	_ "embed" // preferences.yaml
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

//go:embed preferences.yaml
var preferencesYAML []byte

// Preferences are the common VirtualMachineClusterPreferences. The data is
// checked by the tests, so an error here is a build defect.
func Preferences() ([]*instancetypev1beta1.VirtualMachineClusterPreference, error) {
	var out []*instancetypev1beta1.VirtualMachineClusterPreference
	if err := yaml.UnmarshalStrict(preferencesYAML, &out); err != nil {
		return nil, fmt.Errorf("decode common preferences: %w", err)
	}
	for _, p := range out {
		p.TypeMeta = metav1.TypeMeta{APIVersion: instancetypev1beta1.SchemeGroupVersion.String(), Kind: "VirtualMachineClusterPreference"}
		if p.Labels == nil {
			p.Labels = map[string]string{}
		}
		p.Labels[LabelVendor] = VendorValue
		p.Labels[LabelVersion] = Version
		p.Annotations["openshift.io/provider-display-name"] = "KubeVirt"
	}
	return out, nil
}
