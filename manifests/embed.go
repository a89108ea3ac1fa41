package manifests

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"sigs.k8s.io/yaml"
)

//go:embed crds/*.yaml cdi-crds/*.yaml virt-api/registration.yaml
var files embed.FS

// CRDFiles returns the generated CRD manifests, sorted by file name.
func CRDFiles() ([][]byte, error) { return globFiles("crds/*.yaml") }

// CDICRDFiles returns the cdi.kubevirt.io DataVolume and DataSource CRDs of
// kvirt's own DataVolume controller, sorted by file name. They are kept apart
// from CRDFiles: virt-operator installs them only where no CDI owns them.
func CDICRDFiles() ([][]byte, error) { return globFiles("cdi-crds/*.yaml") }

func globFiles(pattern string) ([][]byte, error) {
	names, err := fs.Glob(files, pattern)
	if err != nil {
		return nil, fmt.Errorf("list embedded %s: %w", pattern, err)
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read embedded %s: %w", n, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// VirtAPIRegistration returns the documents of virt-api/registration.yaml (webhook
// configurations and APIService), each as one YAML document.
func VirtAPIRegistration() ([][]byte, error) {
	b, err := files.ReadFile(path.Join("virt-api", "registration.yaml"))
	if err != nil {
		return nil, fmt.Errorf("read embedded registration: %w", err)
	}
	return SplitYAML(b)
}

// SplitYAML splits a multi-document YAML stream on "---" lines, dropping documents
// that are empty or comments only.
func SplitYAML(b []byte) ([][]byte, error) {
	var out [][]byte
	for i, doc := range bytes.Split(b, []byte("\n---")) {
		var probe map[string]any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			return nil, fmt.Errorf("yaml document %d: %w", i, err)
		}
		if len(probe) > 0 {
			out = append(out, doc)
		}
	}
	return out, nil
}
