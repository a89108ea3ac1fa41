package secretvolume

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const dataLink = "..data"

// Write publishes files (key -> content) as the next version of the volume in
// dir, creating dir and the per-key symlinks on first use. Old versions are
// removed after the swap, as the kubelet does.
func Write(tb testing.TB, dir string, files map[string][]byte) {
	tb.Helper()
	if err := write(dir, files); err != nil {
		tb.Fatal(err)
	}
}

func write(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create volume dir: %w", err)
	}
	old, _ := os.Readlink(filepath.Join(dir, dataLink))
	version, err := os.MkdirTemp(dir, "..version_")
	if err != nil {
		return fmt.Errorf("create version dir: %w", err)
	}
	for key, content := range files {
		if err := os.WriteFile(filepath.Join(version, key), content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", key, err)
		}
	}
	tmpLink := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(tmpLink)
	if err := os.Symlink(filepath.Base(version), tmpLink); err != nil {
		return fmt.Errorf("link new version: %w", err)
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, dataLink)); err != nil {
		return fmt.Errorf("swap ..data: %w", err)
	}
	for key := range files {
		link := filepath.Join(dir, key)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join(dataLink, key), link); err != nil {
			return fmt.Errorf("link %s: %w", key, err)
		}
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			return fmt.Errorf("remove old version: %w", err)
		}
	}
	return nil
}
