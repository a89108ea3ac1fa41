package containerdisk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCopyIntoKeepsLayoutAndContent(t *testing.T) {
	src := t.TempDir()
	target := t.TempDir()
	disk := make([]byte, 3*chunk+17)
	copy(disk[chunk:], "data in the second chunk")
	disk[len(disk)-1] = 'x'
	if err := os.MkdirAll(filepath.Join(src, "disk"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"disk/disk.img": disk, "vmlinuz": []byte("kernel"), "empty": nil}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(src, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := CopyInto(target, filepath.Join(src, "disk"), filepath.Join(src, "vmlinuz"), filepath.Join(src, "empty")); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(target, src, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the %d source bytes", name, len(got), len(want))
		}
	}
}

func TestCopyIntoErrors(t *testing.T) {
	if err := CopyInto(t.TempDir(), "relative/path"); err == nil {
		t.Error("a relative path was accepted")
	}
	if err := CopyInto(t.TempDir(), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing path was accepted")
	}
}
