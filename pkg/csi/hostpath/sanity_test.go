package hostpath

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/kubernetes-csi/csi-test/v5/pkg/sanity"
)

// lockedMounter makes fakeMounter safe for csi-sanity, whose checks may call
// IsMountPoint outside the driver's lock.
type lockedMounter struct {
	mu sync.Mutex
	m  fakeMounter
}

func (l *lockedMounter) IsMountPoint(p string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m.IsMountPoint(p)
}

func (l *lockedMounter) BindMount(src, dst string, ro bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m.BindMount(src, dst, ro)
}

func (l *lockedMounter) Unmount(p string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m.Unmount(p)
}

// TestSanity runs the upstream CSI conformance suite (csi-sanity) against the
// driver on a unix socket in a temp dir, with a fake mounter so it needs no root.
func TestSanity(t *testing.T) {
	d := newTestDriver(t, &lockedMounter{m: fakeMounter{mounts: map[string]string{}}})
	dir := t.TempDir()
	sock := filepath.Join(dir, "csi.sock")
	serveOnSocket(t, NewCSIServer(d), sock)
	cfg := sanity.NewTestConfig()
	cfg.Address = "unix://" + sock
	cfg.TargetPath = filepath.Join(dir, "target")
	cfg.StagingPath = filepath.Join(dir, "staging")
	cfg.TestVolumeSize = 64 << 20
	cfg.TestVolumeExpandSize = 128 << 20
	sanity.Test(t, cfg)
}
