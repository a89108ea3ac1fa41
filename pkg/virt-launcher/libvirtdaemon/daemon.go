package libvirtdaemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"kvirt.io/kvirt/pkg/virt-launcher/libvirtembed"
)

// SocketName is the daemon's read-write socket in the socket directory.
const SocketName = "libvirt-sock"

// MaxRootLen bounds the root directory: QEMU's monitor socket lives at
// <root>/config/libvirt/qemu/lib/domain-<id>-<name up to 20 chars>/monitor.sock
// and a unix socket path has at most 107 bytes. (The guest agent's channel,
// whose default directory is deeper still, gets an explicit socket.)
const MaxRootLen = 40

// readyTimeout bounds the daemon's start until its socket answers.
const readyTimeout = 30 * time.Second

// Config says where the daemon keeps its state and listens.
type Config struct {
	// Binary is libvirtd's path ("libvirtd": found in PATH).
	Binary string
	// Root is the daemon's private directory: its configuration, state,
	// QEMU's logs and capabilities cache (the XDG directories point below it).
	Root string
	// SocketDir holds the daemon's sockets (the pod's socket directory).
	SocketDir string
}

// Daemon is a running private libvirtd.
type Daemon struct {
	cfg  Config
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start writes the daemon's configuration, starts it and waits until its
// socket accepts connections. The daemon stops with ctx or Stop.
func Start(ctx context.Context, cfg Config) (*Daemon, error) {
	if cfg.Binary == "" {
		cfg.Binary = "libvirtd"
	}
	env, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg, done: make(chan struct{})}
	d.cmd = exec.CommandContext(ctx, cfg.Binary)
	d.cmd.Env = env
	d.cmd.Stdout, d.cmd.Stderr = os.Stderr, os.Stderr
	d.cmd.Cancel = func() error { return d.cmd.Process.Signal(syscall.SIGTERM) }
	d.cmd.WaitDelay = 10 * time.Second
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Binary, err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	if err := d.waitReady(ctx); err != nil {
		d.Stop()
		return nil, err
	}
	return d, nil
}

// prepare writes libvirtd.conf and qemu.conf below the root and returns the
// daemon's environment.
func prepare(cfg Config) ([]string, error) {
	if !filepath.IsAbs(cfg.Root) || len(cfg.Root) > MaxRootLen {
		return nil, fmt.Errorf("libvirt root %q must be absolute and at most %d bytes (unix socket paths)", cfg.Root,
			MaxRootLen)
	}
	dirs := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(cfg.Root, "config"),
		"XDG_RUNTIME_DIR": filepath.Join(cfg.Root, "run"),
		"XDG_CACHE_HOME":  filepath.Join(cfg.Root, "cache"),
	}
	env := []string{"HOME=" + cfg.Root, "PATH=" + os.Getenv("PATH")}
	for name, dir := range dirs {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		env = append(env, name+"="+dir)
	}
	etc := filepath.Join(dirs["XDG_CONFIG_HOME"], "libvirt")
	logs := filepath.Join(dirs["XDG_CACHE_HOME"], "libvirt", "qemu", "log")
	for _, dir := range []string{etc, logs} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	files := map[string]string{
		"libvirtd.conf": DaemonConf(cfg.SocketDir),
		"qemu.conf":     libvirtembed.QEMUConf(os.Geteuid(), os.Getegid()),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	}
	return env, nil
}

// DaemonConf is libvirtd's configuration: its sockets in socketDir, reachable
// by this user only (virt-handler, as root, proxies the source's libvirt to
// it), logs on stderr.
func DaemonConf(socketDir string) string {
	return fmt.Sprintf(`unix_sock_dir = %q
unix_sock_rw_perms = "0700"
unix_sock_admin_perms = "0700"
log_outputs = "3:stderr"
`, socketDir)
}

func (d *Daemon) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		conn, err := net.DialTimeout("unix", d.Socket(), time.Second)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-d.done:
			return fmt.Errorf("%s exited before it listened: %w", d.cfg.Binary, d.exitErr())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within %s: %w", d.cfg.Binary, d.Socket(), readyTimeout, err)
		}
	}
}

func (d *Daemon) exitErr() error {
	if d.err == nil {
		return errors.New("exit status 0")
	}
	return d.err
}

// Socket is the daemon's read-write socket.
func (d *Daemon) Socket() string { return filepath.Join(d.cfg.SocketDir, SocketName) }

// URI connects to the daemon's QEMU driver.
func (d *Daemon) URI() string { return "qemu+unix:///session?socket=" + d.Socket() }

// RunDir holds QEMU's pid file, <domain name>.pid.
func (d *Daemon) RunDir() string { return filepath.Join(d.cfg.Root, "run", "libvirt", "qemu", "run") }

// Done is closed once the daemon has exited.
func (d *Daemon) Done() <-chan struct{} { return d.done }

// Stop ends the daemon (QEMU processes it started keep running) and waits.
func (d *Daemon) Stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}
