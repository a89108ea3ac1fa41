package node

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	"kvirt.io/kvirt/pkg/launcheruser"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestLauncherNonRoot boots the test guest with virt-launcher (libvirt's QEMU
// driver embedded in it) running as UID/GID 107 without any capability, as in a
// non-root launcher pod: QEMU runs as 107 too, with no effective capability.
// It reports the launcher's RSS without QEMU and the boot time.
func TestLauncherNonRoot(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	uid := uint32(launcheruser.NonRoot)
	vmi := kernelBootVMI("non-root")
	root := nodeenv.ShortTempDir(t)
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: root, PodUID: string(uuid.NewUUID()),
		VMIUID: string(vmi.UID), ContainerDiskDir: root, KernelBootDir: readableCopy(t, env.GuestDir, "vmlinuz", "initrd.img"), RunAsUID: uid})
	ready := time.Now()
	if ids := procIDs(t, l.Cmd.Process.Pid); ids != (processIDs{uid: "107", gid: "107"}) {
		t.Fatalf("virt-launcher runs with %+v, want uid and gid 107 and no capabilities", ids)
	}
	idle := nodeenv.RSSKiB(l.Cmd.Process.Pid)
	start := time.Now()
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	d := l.WaitForState(t, 60*time.Second, "Running")
	running := time.Now()
	booted := l.Console(t).WaitFor(t, 120*time.Second, bootMarker)
	if qemu := procIDs(t, int(d.QemuPid)); qemu != (processIDs{uid: "107", gid: "107"}) {
		t.Errorf("QEMU runs with %+v, want uid and gid 107 and no capabilities", qemu)
	}
	lp := l.Cmd.Process.Pid
	t.Logf("FIGURE non-root launcher (UID 107): start -> command socket %s; sync -> running %s (includes the "+
		"QEMU capabilities probe for the launcher's private cache), sync -> boot marker %s",
		ready.Sub(started).Round(time.Millisecond), running.Sub(start).Round(time.Millisecond),
		booted.Sub(start).Round(time.Millisecond))
	t.Logf("FIGURE non-root launcher RSS without QEMU: %d KiB idle, %d KiB (PSS %d KiB) with its guest running; "+
		"QEMU RSS %d KiB", idle, nodeenv.RSSKiB(lp), nodeenv.PSSKiB(lp), nodeenv.RSSKiB(int(d.QemuPid)))
}

// readableCopy copies files of dir into a fresh directory every user can read
// (the test guest's cache lives below root's home).
func readableCopy(t *testing.T, dir string, files ...string) string {
	t.Helper()
	out := nodeenv.ShortTempDir(t)
	if err := os.Chmod(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.OpenFile(filepath.Join(out, f), os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(dst, src)
		_ = src.Close()
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// processIDs is a process's UID and GID (one number when real, effective,
// saved and filesystem IDs agree, else all four) and effective capabilities.
type processIDs struct {
	uid, gid string
	capEff   uint64
}

func procIDs(t *testing.T, pid int) processIDs {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatalf("read status of %d: %v", pid, err)
	}
	var out processIDs
	for _, line := range strings.Split(string(raw), "\n") {
		key, val, _ := strings.Cut(line, ":")
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		id := fields[0]
		for _, f := range fields[1:] {
			if f != fields[0] {
				id = strings.Join(fields, ",")
			}
		}
		switch key {
		case "Uid":
			out.uid = id
		case "Gid":
			out.gid = id
		case "CapEff":
			out.capEff, _ = strconv.ParseUint(fields[0], 16, 64)
		}
	}
	return out
}
