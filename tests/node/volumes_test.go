package node

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/launcheruser"
	"kvirt.io/kvirt/pkg/virt-launcher/hostdisks"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

const (
	claimSize    = 64 << 20
	guestWritten = "KVIRT-PVC-WRITTEN-BY-GUEST"
	configMotd   = "hello from a configmap volume"
)

// claimDir stands in for a mounted filesystem claim: a 64Mi tmpfs, so the
// disk.img the launcher creates has a known size.
func claimDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", claimSize), "kvirt-claim", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

// configDir lays files out as the kubelet projects a ConfigMap.
func configDir(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	data := filepath.Join(dir, "..2026_01_01_00_00_00.000000001")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(data, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(data), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
}

// TestLauncherClaimAndConfigMapDisks: an empty filesystem claim gets a
// disk.img of the claim's size less the filesystem overhead, which the guest
// writes to; a ConfigMap's files reach the guest as an ISO 9660 disk. As root
// and as UID 107 (the claim then owned by 107, as fsGroup makes it writable).
func TestLauncherClaimAndConfigMapDisks(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	for _, uid := range []uint32{0, uint32(launcheruser.NonRoot)} {
		t.Run(fmt.Sprintf("uid %d", uid), func(t *testing.T) { claimAndConfigMapDisks(t, uid) })
	}
}

func claimAndConfigMapDisks(t *testing.T, uid uint32) {
	env := nodeenv.Get(t)
	root := nodeenv.ShortTempDir(t)
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	pvcDir, cfgDir := filepath.Join(root, "pvc"), filepath.Join(root, "cfg")
	claimDir(t, filepath.Join(pvcDir, "data"))
	if err := os.Chown(filepath.Join(pvcDir, "data"), int(uid), int(uid)); err != nil {
		t.Fatal(err)
	}
	kernelDir := env.GuestDir
	if uid != 0 {
		kernelDir = readableCopy(t, env.GuestDir, "vmlinuz", "initrd.img")
	}
	configDir(t, filepath.Join(cfgDir, "cfg"), map[string]string{"motd": configMotd + "\n"})
	wantSize := hostdisks.ClaimImageSize(claimSize, hostdisks.DefaultFilesystemOverhead)

	vmi := kernelBootVMI("volumes")
	// The guest finds the claim's disk by its size and the ConfigMap's by its file.
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = fmt.Sprintf(`#!/bin/sh
for b in /sys/block/vd*; do
	if [ "$(cat $b/size)" = %d ]; then
		printf '%s' | dd of=/dev/${b##*/} conv=notrunc 2>/dev/null && sync && echo "KVIRT-PVC-DONE ${b##*/}"
	fi
done
mkdir -p /mnt/cfg
for d in /dev/vd?; do
	if mount -t iso9660 -o ro $d /mnt/cfg 2>/dev/null; then
		[ -f /mnt/cfg/motd ] && echo "KVIRT-CFG $(cat /mnt/cfg/motd)"
		umount /mnt/cfg
	fi
done
`, wantSize/512, guestWritten)
	vmi.Spec.Domain.Devices.Disks = append(vmi.Spec.Domain.Devices.Disks,
		virtv1.Disk{Name: "data", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}},
		virtv1.Disk{Name: "cfg", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}})
	vmi.Spec.Volumes = append(vmi.Spec.Volumes,
		virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}},
		virtv1.Volume{Name: "cfg", ConfigMap: &virtv1.ConfigMapVolumeSource{Name: "cm", Optional: ptr.To(false)}})

	l := env.StartLauncher(t, nodeenv.LauncherConfig{
		PodsDir: nodeenv.ShortTempDir(t), PodUID: string(uuid.NewUUID()), VMIUID: string(vmi.UID),
		ContainerDiskDir: root, KernelBootDir: kernelDir, RunAsUID: uid,
		ExtraArgs: []string{"--pvc-dir", pvcDir, "--config-volume-dir", cfgDir},
	})
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	img := filepath.Join(pvcDir, "data", "disk.img")
	st, err := os.Stat(img)
	if err != nil || st.Size() != wantSize {
		t.Fatalf("disk.img: %v, %v; want %d bytes", st, err, wantSize)
	}
	if owner := st.Sys().(*syscall.Stat_t).Uid; owner != uid {
		t.Errorf("disk.img owned by %d, want %d", owner, uid)
	}
	l.WaitForState(t, 60*time.Second, "Running")
	cons := l.Console(t)
	cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 120*time.Second, "KVIRT-CFG "+configMotd)
	cons.WaitFor(t, 120*time.Second, "KVIRT-PVC-DONE")
	waitGuestWrote(t, img, "the guest's write in disk.img")
}

// waitGuestWrote waits until the file behind a guest disk starts with
// guestWritten.
func waitGuestWrote(t *testing.T, path, what string) {
	t.Helper()
	nodeenv.WaitFor(t, 60*time.Second, what, func() (bool, string) {
		f, err := os.Open(path)
		if err != nil {
			return false, err.Error()
		}
		defer f.Close()
		head := make([]byte, len(guestWritten))
		if _, err := f.ReadAt(head, 0); err != nil {
			return false, err.Error()
		}
		return bytes.Equal(head, []byte(guestWritten)), fmt.Sprintf("first bytes %q", head)
	})
}
