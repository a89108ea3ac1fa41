package libvirtembed

import (
	"fmt"
	"os"
	"path/filepath"
)

// MaxRootLen bounds the root directory: QEMU's monitor socket lives at
// <root>/lib/qemu/domain-<id>-<name up to 20 chars>/monitor.sock and a unix
// socket path has at most 107 bytes.
const MaxRootLen = 56

// Driver is the embedded QEMU driver's root, prepared for a connection.
type Driver struct {
	root string
}

// Prepare creates root and writes the driver's qemu.conf, which libvirt reads
// when the first connection opens the driver. QEMU runs as the launcher's own
// user and group, so libvirt never changes a file's owner nor its own identity
// (the launcher has no capability to), puts QEMU in no cgroup or mount
// namespace of its own (the pod is the boundary) and writes QEMU's output to a
// plain file (no virtlogd). Call it before connecting, with libvirt's event
// loop registered (the embedded driver runs its monitors on it).
func Prepare(root string) (*Driver, error) {
	if !filepath.IsAbs(root) || len(root) > MaxRootLen {
		return nil, fmt.Errorf("libvirt root %q must be absolute and at most %d bytes (unix socket paths)", root,
			MaxRootLen)
	}
	etc := filepath.Join(root, "etc")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		return nil, fmt.Errorf("create libvirt root: %w", err)
	}
	conf := QEMUConf(os.Geteuid(), os.Getegid())
	if err := os.WriteFile(filepath.Join(etc, "qemu.conf"), []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("write qemu.conf: %w", err)
	}
	if err := userDirsBelow(root); err != nil {
		return nil, err
	}
	return &Driver{root: root}, nil
}

// userDirsBelow points the XDG base directories of this process below root.
// Unprivileged, libvirt keeps a few things outside the embedded root, in the
// user's cache, config and runtime directories (e.g. $XDG_CACHE_HOME/libvirt/
// hostdevmgr), and a pod user's HOME is not writable. libvirt reads them from
// the environment (in cgo programs os.Setenv reaches C's environ).
func userDirsBelow(root string) error {
	for env, dir := range map[string]string{
		"XDG_CACHE_HOME": "cache", "XDG_CONFIG_HOME": "config", "XDG_RUNTIME_DIR": "runtime",
	} {
		path := filepath.Join(root, "user", dir)
		if err := os.MkdirAll(path, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		if err := os.Setenv(env, path); err != nil {
			return fmt.Errorf("set %s: %w", env, err)
		}
	}
	return nil
}

// QEMUConf is the embedded driver's configuration for a launcher running as
// uid:gid ("+N" names a numeric id, whether or not /etc/passwd has it).
func QEMUConf(uid, gid int) string {
	return fmt.Sprintf(`user = "+%d"
group = "+%d"
dynamic_ownership = 0
remember_owner = 0
stdio_handler = "file"
security_driver = "none"
namespaces = []
cgroup_controllers = []
`, uid, gid)
}

// URI opens the embedded driver.
func (d *Driver) URI() string { return "qemu:///embed?root=" + d.root }

// RunDir holds QEMU's pid file, <domain name>.pid.
func (d *Driver) RunDir() string { return filepath.Join(d.root, "run", "qemu") }

// LogDir holds QEMU's output, <domain name>.log.
func (d *Driver) LogDir() string { return filepath.Join(d.root, "log", "qemu") }
