package libvirtembed

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPrepareWritesQEMUConfForOwnUser(t *testing.T) {
	for _, env := range []string{"XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"} {
		t.Setenv(env, "/nonexistent") // restored when the test ends
	}
	root := filepath.Join(shortDir(t), "virt")
	d, err := Prepare(root)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "etc", "qemu.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`user = "+` + strconv.Itoa(os.Geteuid()) + `"`, `group = "+` + strconv.Itoa(os.Getegid()) + `"`,
		"dynamic_ownership = 0", "namespaces = []", "cgroup_controllers = []"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("qemu.conf lacks %q:\n%s", want, raw)
		}
	}
	// Unprivileged libvirt keeps a few files in the user's directories.
	if got := os.Getenv("XDG_CACHE_HOME"); got != root+"/user/cache" {
		t.Errorf("XDG_CACHE_HOME = %s, want below the root", got)
	}
	if d.URI() != "qemu:///embed?root="+root || d.RunDir() != root+"/run/qemu" {
		t.Errorf("URI %s, RunDir %s", d.URI(), d.RunDir())
	}
}

func TestPrepareRefusesLongOrRelativeRoot(t *testing.T) {
	for _, root := range []string{"relative/virt", "/" + strings.Repeat("x", MaxRootLen)} {
		if _, err := Prepare(root); err == nil {
			t.Errorf("Prepare(%q) succeeded", root)
		}
	}
}

func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "lve")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
