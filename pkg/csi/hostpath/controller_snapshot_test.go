package hostpath

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func snapshotSource(id string) *csi.VolumeContentSource {
	return &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{
		Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: id}}}
}

func volumeSource(id string) *csi.VolumeContentSource {
	return &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Volume{
		Volume: &csi.VolumeContentSource_VolumeSource{VolumeId: id}}}
}

func TestFilesystemSnapshotAndClone(t *testing.T) {
	d := newTestDriver(t, nil)
	c := &controllerServer{d: d}
	ctx := context.Background()
	src := createVolume(t, d, "pvc-src", rwo)
	dir := filepath.Join(d.cfg.StateDir, src)
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("v1"), 0o600); err != nil {
		t.Fatal(err)
	}
	snap, err := c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-1", SourceVolumeId: src})
	if err != nil {
		t.Fatal(err)
	}
	// Later writes to the source are not in the snapshot.
	if err := os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("v2"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cs := range map[string]*csi.VolumeContentSource{
		"from-snap": snapshotSource(snap.GetSnapshot().GetSnapshotId()), "clone": volumeSource(src)} {
		resp, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: name, VolumeCapabilities: []*csi.VolumeCapability{rwo},
			VolumeContentSource: cs})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(filepath.Join(d.cfg.StateDir, resp.GetVolume().GetVolumeId(), "sub", "f"))
		want := map[string]string{"from-snap": "v1", "clone": "v2"}[name]
		if err != nil || string(b) != want {
			t.Errorf("%s: content = %q, %v; want %q", name, b, err, want)
		}
	}
	_, err = c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "bad", VolumeCapabilities: []*csi.VolumeCapability{blockCap()},
		VolumeContentSource: volumeSource(src)})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("block volume from a filesystem source: %v", err)
	}
}

func TestBlockSnapshotStaysSparse(t *testing.T) {
	d := newTestDriver(t, nil)
	c := &controllerServer{d: d}
	ctx := context.Background()
	src := createVolume(t, d, "pvc-blk", blockCap())
	img := d.store.DataPath(&Volume{ID: src, AccessType: AccessBlock})
	f, err := os.OpenFile(img, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("data"), 512<<20); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	snap, err := c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "s", SourceVolumeId: src})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "restored", VolumeCapabilities: []*csi.VolumeCapability{blockCap()},
		CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 30}, VolumeContentSource: snapshotSource(snap.GetSnapshot().GetSnapshotId())})
	if err != nil {
		t.Fatal(err)
	}
	out := d.store.DataPath(&Volume{ID: resp.GetVolume().GetVolumeId(), AccessType: AccessBlock})
	var st syscall.Stat_t
	if err := syscall.Stat(out, &st); err != nil || st.Size != 2<<30 || st.Blocks*512 > 1<<20 {
		t.Errorf("restored file: size %d, %d bytes allocated (%v); want 2 GiB, sparse", st.Size, st.Blocks*512, err)
	}
	b := make([]byte, 4)
	g, _ := os.Open(out)
	defer g.Close()
	if _, err := g.ReadAt(b, 512<<20); err != nil || string(b) != "data" {
		t.Errorf("restored data = %q, %v", b, err)
	}
	_, err = c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "small", VolumeCapabilities: []*csi.VolumeCapability{blockCap()},
		CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}, VolumeContentSource: volumeSource(src)})
	if status.Code(err) != codes.OutOfRange {
		t.Errorf("clone into a smaller volume: %v", err)
	}
}
