package controlplane

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrMissingBinaries reports that etcd, kube-apiserver or kubectl is not in the
// binary directory; hack/build-control-plane-bins.sh builds them.
var ErrMissingBinaries = errors.New("control plane binaries missing (run hack/build-control-plane-bins.sh)")

// Binaries are the absolute paths of the control plane executables.
type Binaries struct {
	Etcd      string
	APIServer string
	Kubectl   string
}

// FindBinaries returns the executables in dir, or an error wrapping ErrMissingBinaries
// that names every missing one.
func FindBinaries(dir string) (Binaries, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Binaries{}, fmt.Errorf("find control plane binaries: %w", err)
	}
	b := Binaries{
		Etcd:      filepath.Join(abs, "etcd"),
		APIServer: filepath.Join(abs, "kube-apiserver"),
		Kubectl:   filepath.Join(abs, "kubectl"),
	}
	var missing []string
	for _, path := range []string{b.Etcd, b.APIServer, b.Kubectl} {
		info, err := os.Stat(path)
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			missing = append(missing, filepath.Base(path))
		}
	}
	if len(missing) > 0 {
		return Binaries{}, fmt.Errorf("%w: %s not found in %s", ErrMissingBinaries, strings.Join(missing, ", "), abs)
	}
	return b, nil
}
