package manifests

import (
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// maxCRDBytes keeps every CRD far below etcd's object limit (~1.5 MB) after the
// descriptions that kubectl explain prints.
const maxCRDBytes = 512 << 10

// TestCRDsDescribeEveryField fails when a property of a generated CRD has no
// description (kubectl explain would print none): a field without a doc comment, or
// a comment controller-gen did not pick up. Object metadata is Kubernetes' own.
func TestCRDsDescribeEveryField(t *testing.T) {
	files, err := CRDFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range files {
		if len(b) > maxCRDBytes {
			t.Errorf("a CRD has %d bytes, more than %d", len(b), maxCRDBytes)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
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
