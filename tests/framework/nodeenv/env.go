package nodeenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Env is what every node test needs, prepared once per test binary.
type Env struct {
	// Root is the repository checkout.
	Root string
	// BinDir holds the freshly built virt-launcher and virt-handler.
	BinDir string
	// GuestDir holds vmlinuz, initrd.img and disk.img of the test guest.
	GuestDir string
}

// QEMUDriverModule is libvirt's QEMU driver, which the launcher loads in process.
const QEMUDriverModule = "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"

var (
	once    sync.Once
	env     *Env
	envErr  error
	missing string
)

// Get prepares the environment or, when libvirt/QEMU are missing, fails the
// test in CI and skips it elsewhere with instructions.
func Get(t testing.TB) *Env {
	t.Helper()
	once.Do(func() { env, missing, envErr = prepare() })
	if missing != "" {
		msg := "node tier needs " + missing + ": run `make deps` as root (hack/install-deps.sh node)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if envErr != nil {
		t.Fatal(envErr)
	}
	return env
}

// Missing reports what the node tier lacks on this machine, or "".
func Missing() string {
	var out []string
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		out = append(out, "qemu-system-x86_64")
	}
	// The launcher embeds libvirt's QEMU driver, a loadable module of libvirt.
	if _, err := os.Stat(QEMUDriverModule); err != nil {
		out = append(out, "libvirt's QEMU driver ("+QEMUDriverModule+")")
	}
	if _, err := user.Lookup("libvirt-qemu"); err != nil {
		out = append(out, "the libvirt-qemu user")
	}
	if os.Geteuid() != 0 {
		out = append(out, "root")
	}
	return strings.Join(out, ", ")
}

func prepare() (*Env, string, error) {
	if m := Missing(); m != "" {
		return nil, m, nil
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "../../.."))
	e := &Env{Root: root}
	out, err := exec.Command(filepath.Join(root, "hack", "build-test-guest.sh")).Output()
	if err != nil {
		return nil, "", fmt.Errorf("build test guest: %w", err)
	}
	e.GuestDir = strings.TrimSpace(string(out))
	e.BinDir = filepath.Join(root, "_out", "node-tests", "bin")
	build := exec.Command("go", "build", "-o", e.BinDir+"/", "./cmd/virt-launcher", "./cmd/virt-handler")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("build node binaries: %w\n%s", err, out)
	}
	return e, "", nil
}

// ShortTempDir is a temporary directory with a short path (unix socket paths
// are limited to 108 bytes), removed when the test ends.
func ShortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kvn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
