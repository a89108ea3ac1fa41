package manifests

import "testing"

func TestSplitYAML(t *testing.T) {
	docs, err := SplitYAML([]byte("# header\n---\na: 1\n---\n# only a comment\n---\nb: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Errorf("%d documents, want 2: %q", len(docs), docs)
	}
	if _, err := SplitYAML([]byte("a: [\n")); err == nil {
		t.Errorf("broken YAML accepted")
	}
}

func TestEmbedded(t *testing.T) {
	crds, err := CRDFiles()
	if err != nil || len(crds) < 9 {
		t.Errorf("%d crds, %v", len(crds), err)
	}
	reg, err := VirtAPIRegistration()
	if err != nil || len(reg) != 3 {
		t.Errorf("%d registration documents, %v", len(reg), err)
	}
}
