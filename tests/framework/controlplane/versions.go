package controlplane

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

const (
	// versionsFile is the single source of truth for pinned versions, relative to the
	// repository root. hack/lib/common.sh sources it; this package parses it.
	versionsFile = "hack/lib/versions.sh"

	// EnvBinDir overrides the directory holding etcd, kube-apiserver and kubectl.
	EnvBinDir = "KVIRT_CONTROL_PLANE_BIN_DIR"
	// EnvCacheDir overrides the cache root (default $HOME/.cache/kvirt).
	EnvCacheDir = "KVIRT_CACHE_DIR"
	// EnvRoot overrides the repository root (default: found from the working directory).
	EnvRoot = "KVIRT_ROOT"
)

// Versions are the pinned component versions read from hack/lib/versions.sh.
type Versions struct {
	Kube string // e.g. v1.37.2
	Etcd string // e.g. v3.6.16
}

var assignment = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=([^\s#]+)\s*(#.*)?$`)

// ReadVersions parses the pinned versions from <root>/hack/lib/versions.sh.
func ReadVersions(root string) (Versions, error) {
	path := filepath.Join(root, versionsFile)
	f, err := os.Open(path)
	if err != nil {
		return Versions{}, fmt.Errorf("read pinned versions: %w", err)
	}
	defer f.Close()
	vars := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if m := assignment.FindStringSubmatch(scanner.Text()); m != nil {
			vars[m[1]] = m[2]
		}
	}
	if err := scanner.Err(); err != nil {
		return Versions{}, fmt.Errorf("read %s: %w", path, err)
	}
	v := Versions{Kube: vars["KUBE_VERSION"], Etcd: vars["ETCD_VERSION"]}
	if v.Kube == "" || v.Etcd == "" {
		return Versions{}, fmt.Errorf("%s: KUBE_VERSION or ETCD_VERSION not set", path)
	}
	return v, nil
}

// RepoRoot returns $KVIRT_ROOT, or the nearest ancestor of the working directory that
// contains hack/lib/versions.sh (go test runs in the package directory).
func RepoRoot() (string, error) {
	if root := os.Getenv(EnvRoot); root != "" {
		return root, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, versionsFile)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no " + versionsFile + " above the working directory; set " + EnvRoot)
		}
		dir = parent
	}
}

// CacheDir returns $KVIRT_CACHE_DIR or $HOME/.cache/kvirt.
func CacheDir() (string, error) {
	if dir := os.Getenv(EnvCacheDir); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find cache dir: %w", err)
	}
	return filepath.Join(home, ".cache", "kvirt"), nil
}

// BinDirName is the per-version directory name under $KVIRT_CACHE_DIR/bin. Keep in
// sync with kvirt::control_plane::bin_dir in hack/lib/common.sh.
func BinDirName(v Versions) string {
	return "kube-" + v.Kube + "_etcd-" + v.Etcd
}

// DefaultBinDir returns $KVIRT_CONTROL_PLANE_BIN_DIR, else
// $KVIRT_CACHE_DIR/bin/kube-<version>_etcd-<version> for the versions pinned in root.
func DefaultBinDir(root string) (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		return dir, nil
	}
	v, err := ReadVersions(root)
	if err != nil {
		return "", err
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "bin", BinDirName(v)), nil
}
