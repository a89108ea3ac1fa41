package hostpath

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
)

// fakeLoops attaches backing files to made-up device paths.
type fakeLoops struct {
	mu       sync.Mutex
	attached map[string]string // backing -> device
	next     int
	refresh  int
}

func newFakeLoops() *fakeLoops { return &fakeLoops{attached: map[string]string{}} }

func (f *fakeLoops) Find(backing string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attached[backing], nil
}

func (f *fakeLoops) Attach(backing string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dev := "/dev/fakeloop" + strconv.Itoa(f.next)
	f.next++
	f.attached[backing] = dev
	return dev, nil
}

func (f *fakeLoops) Detach(dev string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for b, d := range f.attached {
		if d == dev {
			delete(f.attached, b)
		}
	}
	return nil
}

func (f *fakeLoops) Refresh(string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh++
	return nil
}

func TestBlockPublishWithFakes(t *testing.T) {
	m := &fakeMounter{mounts: map[string]string{}}
	d := newTestDriver(t, m)
	loops := d.loops.(*fakeLoops)
	n := &nodeServer{d: d}
	ctx := context.Background()
	id := createVolume(t, d, "pvc-blk", blockCap())
	target := filepath.Join(t.TempDir(), "pod", "dev")
	pub := &csi.NodePublishVolumeRequest{VolumeId: id, TargetPath: target, VolumeCapability: blockCap()}
	for range 2 {
		if _, err := n.NodePublishVolume(ctx, pub); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	if len(loops.attached) != 1 || m.mounts[target] != "/dev/fakeloop0" {
		t.Fatalf("attached %v, mounts %v; want one loop bound on the target", loops.attached, m.mounts)
	}
	if st, err := os.Stat(target); err != nil || st.IsDir() {
		t.Errorf("target is not a file: %v, %v", st, err)
	}
	c := &controllerServer{d: d}
	if _, err := c.ControllerExpandVolume(ctx, &csi.ControllerExpandVolumeRequest{VolumeId: id,
		CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 20}}); err != nil || loops.refresh != 1 {
		t.Errorf("expand: %v, refreshes %d", err, loops.refresh)
	}
	if _, err := n.NodeUnpublishVolume(ctx, &csi.NodeUnpublishVolumeRequest{VolumeId: id, TargetPath: target}); err != nil {
		t.Fatalf("unpublish: %v", err)
	}
	if len(loops.attached) != 0 || len(m.mounts) != 0 {
		t.Errorf("after unpublish: attached %v, mounts %v", loops.attached, m.mounts)
	}
}

// TestRealLoopDevice attaches a loop device, so it needs root and
// /dev/loop-control; it detaches what it attaches.
func TestRealLoopDevice(t *testing.T) {
	if _, err := os.Stat("/dev/loop-control"); os.Geteuid() != 0 || err != nil {
		t.Skip("loop devices need root and /dev/loop-control")
	}
	d, err := New(Config{NodeID: "n1", StateDir: filepath.Join(t.TempDir(), "state")})
	if err != nil {
		t.Fatal(err)
	}
	n := &nodeServer{d: d}
	ctx := context.Background()
	id := createVolume(t, d, "pvc-loop", blockCap())
	backing := d.store.DataPath(&Volume{ID: id, AccessType: AccessBlock})
	target := filepath.Join(t.TempDir(), "dev")
	unpub := &csi.NodeUnpublishVolumeRequest{VolumeId: id, TargetPath: target}
	t.Cleanup(func() {
		_, _ = n.NodeUnpublishVolume(ctx, unpub)
		if dev, _ := d.loops.Find(backing); dev != "" {
			_ = d.loops.Detach(dev)
		}
	})
	pub := &csi.NodePublishVolumeRequest{VolumeId: id, TargetPath: target, VolumeCapability: blockCap()}
	for range 2 {
		if _, err := n.NodePublishVolume(ctx, pub); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	checkLoopSize(t, target, blockSizeOf(t, backing))
	// A restarted driver finds the attachment in sysfs instead of attaching again.
	d2, err := New(Config{NodeID: "n1", StateDir: d.cfg.StateDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&nodeServer{d: d2}).NodePublishVolume(ctx, pub); err != nil {
		t.Fatalf("publish after restart: %v", err)
	}
	if got := loopsBacking(t, backing); got != 1 {
		t.Errorf("%d loop devices back %s, want 1", got, backing)
	}
	if _, err := (&controllerServer{d: d}).ControllerExpandVolume(ctx, &csi.ControllerExpandVolumeRequest{VolumeId: id,
		CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 30}}); err != nil {
		t.Fatalf("expand: %v", err)
	}
	checkLoopSize(t, target, 2<<30)
	if _, err := n.NodeUnpublishVolume(ctx, unpub); err != nil {
		t.Fatalf("unpublish: %v", err)
	}
	if dev, err := d.loops.Find(backing); err != nil || dev != "" {
		t.Errorf("still attached after unpublish: %q, %v", dev, err)
	}
}

func blockSizeOf(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// checkLoopSize opens the device through the published target and checks its
// size, which proves the bind mount carries the loop device.
func checkLoopSize(t *testing.T, target string, want int64) {
	t.Helper()
	f, err := os.Open(target)
	if err != nil {
		t.Fatalf("open published device: %v", err)
	}
	defer f.Close()
	size, err := f.Seek(0, 2)
	if err != nil || size != want {
		t.Errorf("device size = %d (%v), want %d", size, err, want)
	}
}

func loopsBacking(t *testing.T, backing string) int {
	t.Helper()
	files, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	n := 0
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.TrimSpace(string(b)) == backing {
			n++
		}
	}
	return n
}
