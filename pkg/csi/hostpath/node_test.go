package hostpath

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeMounter records bind mounts in a map instead of the mount table.
type fakeMounter struct {
	mounts map[string]string // target -> source
	binds  int
}

func (f *fakeMounter) IsMountPoint(p string) (bool, error) { _, ok := f.mounts[p]; return ok, nil }
func (f *fakeMounter) BindMount(src, dst string, _ bool) error {
	f.mounts[dst] = src
	f.binds++
	return nil
}
func (f *fakeMounter) Unmount(p string) error { delete(f.mounts, p); return nil }

func createVolume(t *testing.T, d *Driver, name string, c *csi.VolumeCapability) string {
	t.Helper()
	resp, err := (&controllerServer{d: d}).CreateVolume(context.Background(),
		&csi.CreateVolumeRequest{Name: name, VolumeCapabilities: []*csi.VolumeCapability{c}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetVolume().GetVolumeId()
}

func TestNodePublishUnpublishIsIdempotent(t *testing.T) {
	m := &fakeMounter{mounts: map[string]string{}}
	d := newTestDriver(t, m)
	n := &nodeServer{d: d}
	ctx := context.Background()
	id := createVolume(t, d, "pvc-n", rwo)
	target := filepath.Join(t.TempDir(), "pods", "uid", "mount")
	pub := &csi.NodePublishVolumeRequest{VolumeId: id, TargetPath: target, VolumeCapability: rwo}
	for range 2 {
		if _, err := n.NodePublishVolume(ctx, pub); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	if m.binds != 1 || m.mounts[target] != filepath.Join(d.cfg.StateDir, id) {
		t.Errorf("binds = %d, mounts = %v", m.binds, m.mounts)
	}
	for range 2 {
		if _, err := n.NodeUnpublishVolume(ctx, &csi.NodeUnpublishVolumeRequest{VolumeId: id, TargetPath: target}); err != nil {
			t.Fatalf("unpublish: %v", err)
		}
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) || len(m.mounts) != 0 {
		t.Errorf("target still there (%v) or mounted (%v)", err, m.mounts)
	}
}

func TestNodePublishErrors(t *testing.T) {
	d := newTestDriver(t, &fakeMounter{mounts: map[string]string{}})
	n := &nodeServer{d: d}
	fsID := createVolume(t, d, "pvc-fs", rwo)
	target := filepath.Join(t.TempDir(), "t")
	tests := []struct {
		name string
		req  *csi.NodePublishVolumeRequest
		want codes.Code
	}{
		{name: "no target", req: &csi.NodePublishVolumeRequest{VolumeId: fsID, VolumeCapability: rwo}, want: codes.InvalidArgument},
		{name: "no capability", req: &csi.NodePublishVolumeRequest{VolumeId: fsID, TargetPath: target}, want: codes.InvalidArgument},
		{name: "unknown volume", req: &csi.NodePublishVolumeRequest{VolumeId: "vol-x", TargetPath: target, VolumeCapability: rwo},
			want: codes.NotFound},
		{name: "block capability on a filesystem volume",
			req: &csi.NodePublishVolumeRequest{VolumeId: fsID, TargetPath: target, VolumeCapability: blockCap()}, want: codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := n.NodePublishVolume(context.Background(), tt.req); status.Code(err) != tt.want {
				t.Errorf("code = %v (%v), want %v", status.Code(err), err, tt.want)
			}
		})
	}
}

func TestNodeGetInfo(t *testing.T) {
	info, err := (&nodeServer{d: newTestDriver(t, nil)}).NodeGetInfo(context.Background(), nil)
	if err != nil || info.GetNodeId() != "n1" || info.GetAccessibleTopology().GetSegments()[TopologyKey] != "n1" {
		t.Errorf("NodeGetInfo = %v, %v", info, err)
	}
}

// TestRealBindMount mounts only inside t.TempDir() and needs root.
func TestRealBindMount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("bind mounts need root")
	}
	d := newTestDriver(t, nil)
	n := &nodeServer{d: d}
	ctx := context.Background()
	id := createVolume(t, d, "pvc-real", rwo)
	if err := os.WriteFile(filepath.Join(d.cfg.StateDir, id, "data"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "target")
	unpub := &csi.NodeUnpublishVolumeRequest{VolumeId: id, TargetPath: target}
	t.Cleanup(func() { _, _ = n.NodeUnpublishVolume(ctx, unpub) })
	ro := mountCap(csi.VolumeCapability_AccessMode_SINGLE_NODE_READER_ONLY)
	for range 2 {
		if _, err := n.NodePublishVolume(ctx, &csi.NodePublishVolumeRequest{VolumeId: id, TargetPath: target, VolumeCapability: ro}); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(target, "data")); err != nil || string(b) != "hello" {
		t.Fatalf("read through the mount = %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(target, "new"), nil, 0o600); err == nil {
		t.Errorf("write to a read-only publish succeeded")
	}
	if _, err := n.NodeUnpublishVolume(ctx, unpub); err != nil {
		t.Fatalf("unpublish: %v", err)
	}
	if mounted, _ := (bindMounter{}).IsMountPoint(target); mounted {
		t.Errorf("target still mounted")
	}
}
