// Command crd-versions adds the deprecated kubevirt.io/v1alpha3 version to every
// kubevirt.io CRD that controller-gen wrote into a directory. The added version
// is a copy of v1 (same schema, printer columns and subresources), served but
// not stored, so the apiserver needs no conversion webhook (strategy None).
// kvirt has no Go types for v1alpha3; make generate runs this after
// controller-gen, and make verify checks the result like any generated file.
//
// Usage: go run ./hack/crd-versions DIR
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"sigs.k8s.io/yaml"
)

const (
	group   = "kubevirt.io"
	served  = "v1"
	alias   = "v1alpha3"
	warning = "kubevirt.io/v1alpha3 is deprecated; use kubevirt.io/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crd-versions DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, group+"_*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no %s CRDs in %s", group, dir)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := addVersion(f); err != nil {
			return err
		}
	}
	return nil
}

// addVersion rewrites one CRD file with the v1alpha3 copy of its v1 version
// (replacing an earlier copy, so running twice changes nothing).
func addVersion(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var crd map[string]any
	useNumber := func(d *json.Decoder) *json.Decoder { d.UseNumber(); return d }
	if err := yaml.Unmarshal(raw, &crd, useNumber); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	spec, _ := crd["spec"].(map[string]any)
	versions, _ := spec["versions"].([]any)
	var base map[string]any
	kept := versions[:0]
	for _, v := range versions {
		m, _ := v.(map[string]any)
		switch m["name"] {
		case alias:
			continue
		case served:
			base = m
		}
		kept = append(kept, v)
	}
	if base == nil {
		return fmt.Errorf("%s: no %s version", path, served)
	}
	copied, err := deepCopy(base)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	copied["name"], copied["served"], copied["storage"] = alias, true, false
	copied["deprecated"], copied["deprecationWarning"] = true, warning
	spec["versions"] = append(kept, copied)
	out, err := yaml.Marshal(crd)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, append([]byte("---\n"), out...), 0o644)
}

func deepCopy(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}
