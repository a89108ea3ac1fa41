package manifests

import (
	"encoding/json"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// maxCRDBytes keeps every CRD, as the apiserver stores it (JSON), well below
// etcd's object limit (~1.5 MB) with the descriptions kubectl explain prints and a
// served v1alpha3 copy of each kubevirt.io schema.
const maxCRDBytes = 1 << 20

// TestCRDsDescribeEveryField fails when a property of a generated CRD has no
// description (kubectl explain would print none): a field without a doc comment, or
// a comment controller-gen did not pick up. Object metadata is Kubernetes' own.
func TestCRDsDescribeEveryField(t *testing.T) {
	files, err := CRDFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range files {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		if j, err := json.Marshal(&crd); err != nil || len(j) > maxCRDBytes {
			t.Errorf("CRD %s is %d bytes as JSON (%v), more than %d", crd.Name, len(j), err, maxCRDBytes)
		}
		for _, v := range crd.Spec.Versions {
			var missing []string
			undescribed(v.Schema.OpenAPIV3Schema, "", &missing)
			if len(missing) > 0 {
				t.Errorf("%s %s: %d properties without description, e.g. %q", crd.Name, v.Name,
					len(missing), missing[:min(len(missing), 5)])
			}
		}
	}
}

func undescribed(s *apiextensionsv1.JSONSchemaProps, path string, missing *[]string) {
	if s == nil {
		return
	}
	for name, p := range s.Properties {
		sub := path + "." + name
		if sub == ".metadata" || strings.HasSuffix(path, ".metadata") {
			continue
		}
		if p.Description == "" {
			*missing = append(*missing, sub)
		}
		undescribed(&p, sub, missing)
	}
	if s.Items != nil {
		undescribed(s.Items.Schema, path+"[]", missing)
	}
	if s.AdditionalProperties != nil {
		undescribed(s.AdditionalProperties.Schema, path+"{}", missing)
	}
}
