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

func newTestDriver(t *testing.T, m Mounter) *Driver {
	t.Helper()
	d, err := New(Config{NodeID: "n1", StateDir: filepath.Join(t.TempDir(), "state"), Version: "test", Mounter: m,
		Loops: newFakeLoops()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateDeleteFilesystemVolume(t *testing.T) {
	d := newTestDriver(t, nil)
	c := &controllerServer{d: d}
	ctx := context.Background()
	req := &csi.CreateVolumeRequest{Name: "pvc-a", VolumeCapabilities: []*csi.VolumeCapability{rwo},
		CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}}
	first, err := c.CreateVolume(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	v := first.GetVolume()
	if v.GetCapacityBytes() != 1<<20 || v.GetAccessibleTopology()[0].GetSegments()[TopologyKey] != "n1" {
		t.Errorf("volume = %v", v)
	}
	if st, err := os.Stat(filepath.Join(d.cfg.StateDir, v.GetVolumeId())); err != nil || !st.IsDir() {
		t.Fatalf("volume directory: %v", err)
	}
	again, err := c.CreateVolume(ctx, req)
	if err != nil || again.GetVolume().GetVolumeId() != v.GetVolumeId() {
		t.Fatalf("retried CreateVolume = %v, %v", again, err)
	}
	for range 2 {
		if _, err := c.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: v.GetVolumeId()}); err != nil {
			t.Fatalf("DeleteVolume: %v", err)
		}
	}
	entries, _ := os.ReadDir(d.cfg.StateDir)
	if len(entries) != 0 {
		t.Errorf("state dir not empty after delete: %v", entries)
	}
}

func TestBlockVolumeIsSparseAndExpands(t *testing.T) {
	d := newTestDriver(t, nil)
	c := &controllerServer{d: d}
	ctx := context.Background()
	resp, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-b",
		VolumeCapabilities: []*csi.VolumeCapability{blockCap()}, CapacityRange: &csi.CapacityRange{RequiredBytes: 64 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetVolume().GetVolumeId()
	img := filepath.Join(d.cfg.StateDir, id+".img")
	assertSize(t, img, 64<<20)
	exp, err := c.ControllerExpandVolume(ctx, &csi.ControllerExpandVolumeRequest{VolumeId: id,
		CapacityRange: &csi.CapacityRange{RequiredBytes: 128 << 20}})
	if err != nil || exp.GetCapacityBytes() != 128<<20 || exp.GetNodeExpansionRequired() {
		t.Fatalf("expand = %v, %v", exp, err)
	}
	assertSize(t, img, 128<<20)
	v, err := d.store.Get(id)
	if err != nil || v.CapacityBytes != 128<<20 {
		t.Errorf("metadata after expand = %+v, %v", v, err)
	}
}

func assertSize(t *testing.T, path string, want int64) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != want {
		t.Errorf("%s size = %d, want %d", path, st.Size(), want)
	}
}

func TestControllerErrors(t *testing.T) {
	c := &controllerServer{d: newTestDriver(t, nil)}
	ctx := context.Background()
	_, err := c.ControllerExpandVolume(ctx, &csi.ControllerExpandVolumeRequest{VolumeId: "vol-missing",
		CapacityRange: &csi.CapacityRange{RequiredBytes: 1}})
	if status.Code(err) != codes.NotFound {
		t.Errorf("expand missing: %v", err)
	}
	if _, err := c.DeleteVolume(ctx, &csi.DeleteVolumeRequest{}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("delete without id: %v", err)
	}
	if _, err := c.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: "../etc"}); err != nil {
		t.Errorf("delete of a path-like id must be a no-op: %v", err)
	}
}

func TestValidateVolumeCapabilities(t *testing.T) {
	c := &controllerServer{d: newTestDriver(t, nil)}
	ctx := context.Background()
	resp, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-v", VolumeCapabilities: []*csi.VolumeCapability{rwo}})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetVolume().GetVolumeId()
	tests := []struct {
		name      string
		caps      []*csi.VolumeCapability
		confirmed bool
	}{
		{name: "same access", caps: []*csi.VolumeCapability{rwo}, confirmed: true},
		{name: "block on a filesystem volume", caps: []*csi.VolumeCapability{blockCap()}},
		{name: "multi-node", caps: []*csi.VolumeCapability{mountCap(csi.VolumeCapability_AccessMode_MULTI_NODE_READER_ONLY)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ValidateVolumeCapabilities(ctx, &csi.ValidateVolumeCapabilitiesRequest{VolumeId: id, VolumeCapabilities: tt.caps})
			if err != nil {
				t.Fatal(err)
			}
			if (got.GetConfirmed() != nil) != tt.confirmed {
				t.Errorf("confirmed = %v (%s), want %v", got.GetConfirmed(), got.GetMessage(), tt.confirmed)
			}
		})
	}
	_, err = c.ValidateVolumeCapabilities(ctx, &csi.ValidateVolumeCapabilitiesRequest{VolumeId: "vol-x", VolumeCapabilities: []*csi.VolumeCapability{rwo}})
	if status.Code(err) != codes.NotFound {
		t.Errorf("missing volume: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	d := newTestDriver(t, nil)
	ctx := context.Background()
	cc, _ := (&controllerServer{d: d}).ControllerGetCapabilities(ctx, nil)
	if len(cc.GetCapabilities()) != 5 {
		t.Errorf("controller capabilities = %v", cc)
	}
	pc, _ := (&identityServer{d: d}).GetPluginCapabilities(ctx, nil)
	var services int
	var online bool
	for _, c := range pc.GetCapabilities() {
		if c.GetService() != nil {
			services++
		}
		online = online || c.GetVolumeExpansion().GetType() == csi.PluginCapability_VolumeExpansion_ONLINE
	}
	if services != 2 || !online {
		t.Errorf("plugin capabilities = %v", pc)
	}
}

func TestDeleteRemovesDataWithoutMetadata(t *testing.T) {
	d := newTestDriver(t, nil)
	id := volumeID("pvc-half")
	// A creation that stopped before writing its metadata.
	if err := os.Mkdir(filepath.Join(d.cfg.StateDir, id), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.cfg.StateDir, id+".img"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (&controllerServer{d: d}).DeleteVolume(context.Background(), &csi.DeleteVolumeRequest{VolumeId: id}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(d.cfg.StateDir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
