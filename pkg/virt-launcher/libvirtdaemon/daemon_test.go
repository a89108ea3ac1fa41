package libvirtdaemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepareWritesConfigBelowRoot(t *testing.T) {
	root, err := os.MkdirTemp("/tmp", "lvd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	env, err := prepare(Config{Root: root, SocketDir: "/var/run/kvirt"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HOME=" + root, "XDG_CONFIG_HOME=" + root + "/config",
		"XDG_RUNTIME_DIR=" + root + "/run", "XDG_CACHE_HOME=" + root + "/cache"} {
		if !strings.Contains(strings.Join(env, "\n"), want) {
			t.Errorf("environment %v lacks %s", env, want)
		}
	}
	conf, err := os.ReadFile(filepath.Join(root, "config", "libvirt", "libvirtd.conf"))
	if err != nil || !strings.Contains(string(conf), `unix_sock_dir = "/var/run/kvirt"`) {
		t.Errorf("libvirtd.conf = %q, %v", conf, err)
	}
	if qemu, err := os.ReadFile(filepath.Join(root, "config", "libvirt", "qemu.conf")); err != nil ||
		!strings.Contains(string(qemu), `stdio_handler = "file"`) {
		t.Errorf("qemu.conf = %q, %v", qemu, err)
	}
}

func TestStartRefusesLongRootAndMissingBinary(t *testing.T) {
	if _, err := Start(context.Background(), Config{Root: "/" + strings.Repeat("r", MaxRootLen)}); err == nil ||
		!strings.Contains(err.Error(), "at most") {
		t.Errorf("Start with a long root = %v", err)
	}
	root, err := os.MkdirTemp("/tmp", "lvd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	_, err = Start(context.Background(), Config{Root: root, SocketDir: root, Binary: "/nonexistent/libvirtd"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/libvirtd") {
		t.Errorf("Start without the binary = %v", err)
	}
}
