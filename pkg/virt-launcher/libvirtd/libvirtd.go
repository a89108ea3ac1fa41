package libvirtd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/klog/v2"
)

// qemuConf runs QEMU as root without a security driver, cgroups or per-domain
// device namespaces: the launcher's pod is the isolation boundary, and QEMU's
// stdio goes to a plain file so no virtlogd is needed.
const qemuConf = `user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
stdio_handler = "file"
security_driver = "none"
namespaces = []
cgroup_controllers = []
`

const libvirtdConf = `unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
`

// Directories libvirt uses when it runs privileged; each is replaced by a
// private one inside the daemon's mount namespace.
var overlaid = [][2]string{
	{"run", "/var/run/libvirt"},
	{"lib", "/var/lib/libvirt"},
	{"etc", "/etc/libvirt"},
	{"log", "/var/log/libvirt"},
}

// Config says where the daemon keeps its state.
type Config struct {
	// StateDir is private to this launcher; it is created if missing.
	StateDir string
	// CacheDir, if set, is shared between daemons: libvirt keeps its QEMU
	// capabilities cache there, which saves seconds on every start.
	CacheDir string
	// Binary is the libvirt daemon; default libvirtd from PATH.
	Binary string
	// StartTimeout bounds the wait for the socket; default 30s.
	StartTimeout time.Duration
}

// Daemon is a running libvirt daemon.
type Daemon struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	cfg  Config
}

// Start launches the daemon and waits until its socket accepts connections.
// The daemon is killed when ctx ends.
func Start(ctx context.Context, cfg Config) (*Daemon, error) {
	if cfg.Binary == "" {
		cfg.Binary = "libvirtd"
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	bin, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("find libvirt daemon: %w", err)
	}
	if err := prepare(cfg); err != nil {
		return nil, err
	}
	script := mountScript(cfg) + fmt.Sprintf("exec %s --pid-file /var/run/libvirt/libvirtd.pid --config /etc/libvirt/libvirtd.conf",
		bin)
	logFile, err := os.OpenFile(filepath.Join(cfg.StateDir, "libvirtd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open libvirtd log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "sh", "-ec", script)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "LIBVIRT_LOG_OUTPUTS=3:stderr")
	cmd.WaitDelay = 5 * time.Second
	// The daemon must not outlive a launcher that is killed outright.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start libvirtd: %w", err)
	}
	d := &Daemon{cmd: cmd, done: make(chan struct{}), cfg: cfg}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	if err := d.waitForSocket(ctx); err != nil {
		return nil, err
	}
	klog.FromContext(ctx).V(2).Info("libvirt daemon ready", "socket", d.Socket(), "pid", cmd.Process.Pid)
	return d, nil
}

func prepare(cfg Config) error {
	for _, o := range overlaid {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, o[0]), 0o700); err != nil {
			return fmt.Errorf("create libvirt state dir: %w", err)
		}
		if err := os.MkdirAll(o[1], 0o755); err != nil {
			return fmt.Errorf("create mount point %s: %w", o[1], err)
		}
	}
	files := map[string]string{"qemu.conf": qemuConf, "libvirtd.conf": libvirtdConf}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(cfg.StateDir, "etc", name), []byte(content), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return fmt.Errorf("create libvirt cache dir: %w", err)
		}
		if err := os.MkdirAll("/var/cache/libvirt", 0o755); err != nil {
			return fmt.Errorf("create mount point /var/cache/libvirt: %w", err)
		}
	}
	return nil
}

func mountScript(cfg Config) string {
	var b strings.Builder
	for _, o := range overlaid {
		fmt.Fprintf(&b, "mount --bind '%s' %s\n", filepath.Join(cfg.StateDir, o[0]), o[1])
	}
	if cfg.CacheDir != "" {
		fmt.Fprintf(&b, "mount --bind '%s' /var/cache/libvirt\n", cfg.CacheDir)
	}
	return b.String()
}

// Socket is the daemon's read-write socket as seen from outside its namespace.
func (d *Daemon) Socket() string {
	return filepath.Join(d.cfg.StateDir, "run", "libvirt-sock")
}

// URI connects to this daemon's QEMU driver.
func (d *Daemon) URI() string {
	return "qemu:///system?socket=" + d.Socket()
}

// RunDir is the daemon's /var/run/libvirt as seen from outside (QEMU pid files
// live in its qemu/ sub-directory).
func (d *Daemon) RunDir() string {
	return filepath.Join(d.cfg.StateDir, "run")
}

// Pid is the daemon's process id (the unshare wrapper execs into it).
func (d *Daemon) Pid() int {
	return d.cmd.Process.Pid
}

// Done is closed when the daemon exited.
func (d *Daemon) Done() <-chan struct{} {
	return d.done
}

// Stop terminates the daemon and waits for it. QEMU processes it started keep
// running; stop the domain first.
func (d *Daemon) Stop() error {
	select {
	case <-d.done:
		return nil
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal libvirtd: %w", err)
	}
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	return nil
}

func (d *Daemon) waitForSocket(ctx context.Context) error {
	deadline := time.NewTimer(d.cfg.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if st, err := os.Stat(d.Socket()); err == nil && st.Mode()&os.ModeSocket != 0 {
			return nil
		}
		select {
		case <-d.done:
			return fmt.Errorf("libvirtd exited before its socket appeared (%w); see %s", d.err,
				filepath.Join(d.cfg.StateDir, "libvirtd.log"))
		case <-deadline.C:
			return fmt.Errorf("libvirtd socket %s did not appear within %s", d.Socket(), d.cfg.StartTimeout)
		case <-ctx.Done():
			return fmt.Errorf("wait for libvirtd: %w", ctx.Err())
		case <-tick.C:
		}
	}
}
