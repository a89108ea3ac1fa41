package nodeenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/network/podsetup"
	"kvirt.io/kvirt/pkg/podsocket"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// LauncherConfig describes one launcher process.
type LauncherConfig struct {
	// PodsDir is a fake kubelet pod directory (virt-handler's
	// --kubelet-pods-dir); a short path (ShortTempDir).
	PodsDir string
	// PodUID is the launcher pod's UID: its socket volume is
	// <PodsDir>/<PodUID>/volumes/kubernetes.io~empty-dir/kvirt-sockets and the
	// process runs in a cgroup named pod<PodUID>, as the kubelet would do.
	PodUID string
	// VMIUID is the VMI the launcher serves.
	VMIUID string
	// ContainerDiskDir, KernelBootDir: where volumes are found.
	ContainerDiskDir string
	KernelBootDir    string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
	// NetNS, if set, runs the launcher in that network namespace (its pod
	// network); otherwise it gets one of its own (NewPrivateNetNS), never the
	// host's: pod network bindings are built in it.
	NetNS *NetNS
	// RunAsUID, if not 0, runs the launcher (and so QEMU) as that UID and GID,
	// as in a non-root launcher pod; its socket and state directories are given
	// to that user, and every file it reads must be readable by it.
	RunAsUID uint32
}

// Launcher is a running virt-launcher process.
type Launcher struct {
	Cmd *exec.Cmd
	// SocketDir is the pod's socket volume as the host (virt-handler) sees it.
	SocketDir string
	// PodsDir is the fake kubelet pod directory the pod is in.
	PodsDir string
	// StateDir is the root of the launcher's embedded libvirt QEMU driver.
	StateDir string
	// Target is the command socket as virt-handler dials it.
	Target podsocket.Target
	// NetNS is the launcher's network namespace (its pod network).
	NetNS  NetNS
	uid    uint32
	Client launcherv1.LauncherClient
	conn   *grpc.ClientConn
	done   chan struct{}
	log    *bytes.Buffer
	logMu  *sync.Mutex
}

// StartLauncher starts virt-launcher as a pod would run it and waits for its
// command socket: in a mount namespace of its own where the pod's socket
// volume is bind-mounted at a short path (the pod's /var/run/kvirt), and in a
// cgroup named after the pod; with RunAsUID as that user (the namespace and
// cgroup are set up as root, then setpriv drops to the user, as the runtime
// would). The process is killed (and its QEMU with it) when the test ends.
func (e *Env) StartLauncher(t testing.TB, cfg LauncherConfig) *Launcher {
	t.Helper()
	target := podsocket.Target{PodUID: types.UID(cfg.PodUID), Socket: "launcher.sock", RunAsUser: cfg.RunAsUID}
	socketDir := filepath.Dir(podsocket.Path(cfg.PodsDir, target))
	inPod := ShortTempDir(t)
	if err := os.MkdirAll(socketDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cgroup := podCgroup(t, cfg.PodUID)
	// The embedded driver's root must be short (QEMU's monitor socket is below it).
	stateDir := filepath.Join(ShortTempDir(t), "virt")
	args := []string{"--socket-dir", inPod, "--vmi-uid", cfg.VMIUID, "--state-dir", stateDir,
		"--container-disk-dir", cfg.ContainerDiskDir, "--kernel-boot-dir", cfg.KernelBootDir, "-v", "2",
		"--default-grace", "10s", "--final-notify-timeout", "2s"}
	argv := append([]string{filepath.Join(e.BinDir, "virt-launcher")}, append(args, cfg.ExtraArgs...)...)
	if cfg.RunAsUID != 0 {
		id := strconv.FormatUint(uint64(cfg.RunAsUID), 10)
		argv = append([]string{"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "--"}, argv...)
	}
	if cfg.NetNS == nil {
		ns := NewPrivateNetNS(t, "192.168.79.2")
		cfg.NetNS = &ns
	}
	argv = append([]string{"nsenter", "--net=" + cfg.NetNS.Path(), "--"}, argv...)
	// As the runtime does for a device plugin's device (device ownership from
	// the security context): the pod's /dev/net/tun belongs to its user. Only
	// in the launcher's mount namespace.
	argv = append([]string{"unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
		`set -e; echo $$ > "$1/cgroup.procs"; mount --bind "$2" "$3"
		if [ "$4" != 0 ]; then mount -t tmpfs -o mode=0755 tun /dev/net; mknod -m 0660 /dev/net/tun c 10 200; chown "$4:$4" /dev/net/tun; fi
		shift 4; exec "$@"`,
		"sh", cgroup, socketDir, inPod, strconv.FormatUint(uint64(cfg.RunAsUID), 10)}, argv...)
	cmd := exec.Command(argv[0], argv[1:]...)
	if cfg.RunAsUID != 0 {
		giveTo(t, cfg.RunAsUID, socketDir, filepath.Dir(stateDir))
		// As in a pod: a HOME the user owns (libvirt looks there for a few files).
		cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(stateDir))
	}
	l := &Launcher{Cmd: cmd, SocketDir: socketDir, PodsDir: cfg.PodsDir, StateDir: stateDir, Target: target, NetNS: *cfg.NetNS,
		uid: cfg.RunAsUID, done: make(chan struct{}),
		log:   &bytes.Buffer{},
		logMu: &sync.Mutex{}}
	cmd.Stdout = lockedWriter{l.log, l.logMu}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start virt-launcher: %v", err)
	}
	go func() { _ = cmd.Wait(); close(l.done) }()
	t.Cleanup(func() {
		l.Stop(t, 30*time.Second)
		if t.Failed() {
			t.Logf("virt-launcher log:\n%s", l.Log())
		}
	})
	l.waitForSocket(t, filepath.Join(socketDir, "launcher.sock"))
	dialer := podsocket.Dialer{PodsDir: cfg.PodsDir}
	conn, err := grpc.NewClient("passthrough:///launcher", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			c, _, err := dialer.Dial(ctx, target)
			return c, err
		}))
	if err != nil {
		t.Fatal(err)
	}
	l.conn = conn
	l.Client = launcherv1.NewLauncherClient(conn)
	return l
}

func (l *Launcher) waitForSocket(t testing.TB, sock string) {
	t.Helper()
	WaitFor(t, 60*time.Second, "launcher socket", func() (bool, string) {
		select {
		case <-l.done:
			// A launcher whose domain failed at once (e.g. a missing disk,
			// synced by virt-handler already) reports it and exits cleanly.
			if code := l.Cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("virt-launcher exited early with %d:\n%s", code, l.Log())
			}
			return true, ""
		default:
		}
		_, err := os.Stat(sock)
		return err == nil, fmt.Sprint(err)
	})
}

// Log is the launcher's output so far.
func (l *Launcher) Log() string {
	l.logMu.Lock()
	defer l.logMu.Unlock()
	return l.log.String()
}

// Done is closed when the process exited.
func (l *Launcher) Done() <-chan struct{} { return l.done }

// Stop sends SIGTERM and kills the process after timeout.
func (l *Launcher) Stop(t testing.TB, timeout time.Duration) {
	if l.conn != nil {
		_ = l.conn.Close()
	}
	select {
	case <-l.done:
		// A launcher that was killed leaves its libvirtd and QEMU behind.
		l.killLeftovers()
		return
	default:
	}
	_ = l.Cmd.Process.Signal(os.Interrupt)
	select {
	case <-l.done:
		if left := l.killLeftovers(); len(left) > 0 {
			t.Errorf("virt-launcher exited but left %v running", left)
		}
	case <-time.After(timeout):
		t.Errorf("virt-launcher did not stop within %s; killing it and its QEMU", timeout)
		_ = l.Cmd.Process.Kill()
		<-l.done
		l.killLeftovers()
	}
}

// killLeftovers ends the QEMU of a launcher that is gone: in a pod the
// container runtime would, here nothing else does. It returns what it had to
// kill.
func (l *Launcher) killLeftovers() []string {
	files, _ := filepath.Glob(filepath.Join(l.StateDir, "run", "qemu", "*.pid"))
	var killed []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || pid <= 1 {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
		name := strings.TrimSpace(string(comm))
		if err != nil || !strings.HasPrefix(name, "qemu") {
			continue // gone, or the pid was reused by someone else
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed = append(killed, fmt.Sprintf("%s[%d]", name, pid))
		}
	}
	return killed
}

// giveTo creates dirs (and their parents up to an existing one) owned by uid.
func giveTo(t testing.TB, uid uint32, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, int(uid), int(uid)); err != nil {
			t.Fatal(err)
		}
	}
}

// BuildPodNetwork does virt-handler's part before a sync: it builds the
// bindings of the VMI's interfaces in the launcher's namespace (none if it
// has none).
func (l *Launcher) BuildPodNetwork(t testing.TB, vmi *virtv1.VirtualMachineInstance) []*podplan.Plan {
	t.Helper()
	plans, err := podsetup.Ensure(l.NetNS.Path(), vmi, nil, podsetup.Owner{UID: l.uid, GID: l.uid},
		func([]*podplan.Plan) error { return nil })
	if err != nil {
		t.Fatalf("build the pod network: %v", err)
	}
	return plans
}

// Sync builds the VMI's pod network binding as virt-handler would and sends
// the VMI to the launcher.
func (l *Launcher) Sync(t testing.TB, vmi *virtv1.VirtualMachineInstance) *launcherv1.Result {
	t.Helper()
	raw, err := json.Marshal(vmi)
	if err != nil {
		t.Fatal(err)
	}
	req := &launcherv1.SyncVMIRequest{VmiJson: raw, Accelerator: "tcg"}
	for _, plan := range l.BuildPodNetwork(t, vmi) {
		req.PodInterfaces = append(req.PodInterfaces, plan.Proto())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := l.Client.SyncVMI(ctx, req)
	if err != nil {
		t.Fatalf("SyncVMI: %v", err)
	}
	return res
}

// Domain returns the launcher's domain (nil if none).
func (l *Launcher) Domain(t testing.TB) *launcherv1.Domain {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := l.Client.GetDomain(ctx, &launcherv1.Empty{})
	if err != nil {
		t.Fatalf("GetDomain: %v", err)
	}
	return resp.Domain
}

// WaitForState polls the domain until it has the state.
func (l *Launcher) WaitForState(t testing.TB, timeout time.Duration, state string) *launcherv1.Domain {
	t.Helper()
	var d *launcherv1.Domain
	WaitFor(t, timeout, "domain state "+state, func() (bool, string) {
		d = l.Domain(t)
		return d != nil && d.State == state, fmt.Sprintf("%v", d)
	})
	return d
}

// WaitFor polls cond every 50ms until it holds or timeout passes, then fails
// with what was last seen.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last seen: %s", timeout, what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// ConsoleReader accumulates a launcher's serial console output.
type ConsoleReader struct {
	mu  sync.Mutex
	out strings.Builder
	// times records when each marker was first seen.
	stream launcherv1.Launcher_ConsoleClient
}

// Console attaches to the serial console until the test ends.
func (l *Launcher) Console(t testing.TB) *ConsoleReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stream, err := l.Client.Console(ctx)
	if err != nil {
		t.Fatalf("Console: %v", err)
	}
	c := &ConsoleReader{stream: stream}
	go func() {
		for {
			msg, err := stream.Recv()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.out.Write(msg.Data)
			c.mu.Unlock()
		}
	}()
	return c
}

// Output is everything read so far.
func (c *ConsoleReader) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// WaitFor waits until the output contains text and returns when it was seen.
func (c *ConsoleReader) WaitFor(t testing.TB, timeout time.Duration, text string) time.Time {
	t.Helper()
	WaitFor(t, timeout, fmt.Sprintf("console output %q", text), func() (bool, string) {
		out := c.Output()
		if len(out) > 2000 {
			out = "..." + out[len(out)-2000:]
		}
		return strings.Contains(c.Output(), text), out
	})
	return time.Now()
}

// Send writes input to the console.
func (c *ConsoleReader) Send(data string) error {
	return c.stream.Send(&launcherv1.ConsoleData{Data: []byte(data)})
}
