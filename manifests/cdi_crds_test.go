package manifests

import (
	"os"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// TestCDICRDs: the cdi.kubevirt.io CRDs of kvirt's own DataVolume controller
// stay out of the embedded set virt-operator installs, serve DataVolume (with a
// status subresource) and DataSource (without, as CDI), and describe every field.
func TestCDICRDs(t *testing.T) {
	embedded, err := CRDFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range embedded {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		if crd.Spec.Group == "cdi.kubevirt.io" {
			t.Errorf("%s is embedded: virt-operator would install it where CDI owns it", crd.Name)
		}
	}
	files, err := filepath.Glob(filepath.Join("cdi-crds", "*.yaml"))
	if err != nil || len(files) != 2 {
		t.Fatalf("cdi-crds: %v %v, want the DataSource and DataVolume CRDs", files, err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		kinds[crd.Spec.Names.Kind] = true
		for _, v := range crd.Spec.Versions {
			var missing []string
			undescribed(v.Schema.OpenAPIV3Schema, "", &missing)
			if len(missing) > 0 {
				t.Errorf("%s %s: %d properties without description, e.g. %q", crd.Name, v.Name, len(missing), missing[:min(len(missing), 5)])
			}
			// CDI's DataSource has no status subresource, its DataVolume has one.
			hasStatus := v.Subresources != nil && v.Subresources.Status != nil
			if v.Name != "v1beta1" || !v.Served || !v.Storage || hasStatus != (crd.Spec.Names.Kind == "DataVolume") {
				t.Errorf("%s version %s served %v storage %v subresources %+v", crd.Name, v.Name, v.Served, v.Storage, v.Subresources)
			}
		}
	}
	if !kinds["DataVolume"] || !kinds["DataSource"] {
		t.Errorf("kinds %v", kinds)
	}
}
