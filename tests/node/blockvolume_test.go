package node

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

const blockSize = 16 << 20

// loopDevice attaches a fresh 16 MiB file to a loop device, detached when
// the test ends; the test is skipped where no loop device can be had.
func loopDevice(t *testing.T) (dev, backing string) {
	t.Helper()
	backing = filepath.Join(nodeenv.ShortTempDir(t), "block.img")
	if err := os.WriteFile(backing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backing, blockSize); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", backing).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device for a block claim: %v: %s", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "--detach", dev).Run() })
	return dev, backing
}

// TestLauncherBlockClaim: a Block-mode claim (a loop device at
// --block-dir/<volume>, as the kubelet puts a volumeDevice) is a block disk
// the guest writes to.
func TestLauncherBlockClaim(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	dev, backing := loopDevice(t)
	root := nodeenv.ShortTempDir(t)
	blockDir := filepath.Join(root, "dev")
	if err := os.MkdirAll(blockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dev, filepath.Join(blockDir, "data")); err != nil {
		t.Fatal(err)
	}
	vmi := kernelBootVMI("block-claim")
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = fmt.Sprintf(`#!/bin/sh
for b in /sys/block/vd*; do
	if [ "$(cat $b/size)" = %d ]; then
		printf '%s' | dd of=/dev/${b##*/} conv=notrunc 2>/dev/null && sync && echo "KVIRT-BLOCK-DONE ${b##*/}"
	fi
done
`, blockSize/512, guestWritten)
	vmi.Spec.Domain.Devices.Disks = append(vmi.Spec.Domain.Devices.Disks,
		virtv1.Disk{Name: "data", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}})
	vmi.Spec.Volumes = append(vmi.Spec.Volumes,
		virtv1.Volume{Name: "data", DataVolume: &virtv1.DataVolumeSource{Name: "dv"}})
	l := env.StartLauncher(t, nodeenv.LauncherConfig{
		PodsDir: nodeenv.ShortTempDir(t), PodUID: string(uuid.NewUUID()), VMIUID: string(vmi.UID),
		ContainerDiskDir: root, KernelBootDir: env.GuestDir,
		ExtraArgs: []string{"--pvc-dir", filepath.Join(root, "pvc"), "--block-dir", blockDir},
	})
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	l.WaitForState(t, 60*time.Second, "Running")
	cons := l.Console(t)
	cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 120*time.Second, "KVIRT-BLOCK-DONE")
	waitGuestWrote(t, backing, "the guest's write on the block device")
}
