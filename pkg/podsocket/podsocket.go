package podsocket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/types"
)

// Defaults of the node layout.
const (
	// DefaultPodsDir is the kubelet's pod directory.
	DefaultPodsDir = "/var/lib/kubelet/pods"
	// SocketsVolume is the launcher pod's emptyDir holding its sockets.
	SocketsVolume = "kvirt-sockets"
	// emptyDirPlugin is the kubelet's directory of emptyDir volumes in a pod.
	emptyDirPlugin = "kubernetes.io~empty-dir"
)

// ErrRefused wraps every refusal of a socket or of its peer (as opposed to a
// socket that is not there yet).
var ErrRefused = errors.New("refused")

// Target names one socket of one pod and who must be listening on it.
type Target struct {
	// PodUID is the pod's metadata.uid: its directory under the pods dir.
	PodUID types.UID
	// Volume is the emptyDir volume name (SocketsVolume when empty).
	Volume string
	// Socket is the socket's file name directly in the volume.
	Socket string
	// RunAsUser is the uid the pod's listening process must run as.
	RunAsUser uint32
}

// Peer is the process listening on the socket, as SO_PEERCRED reports it (in
// the handler's pid namespace: virt-handler runs with hostPID).
type Peer struct {
	PID int32
	UID uint32
	GID uint32
}

// PeerCheck decides whether peer may serve target.
type PeerCheck interface {
	Check(peer Peer, target Target) error
}

// Dialer connects to pod sockets under PodsDir.
type Dialer struct {
	// PodsDir is the kubelet's pod directory (DefaultPodsDir when empty).
	PodsDir string
	// Check vets the peer (CgroupCheck{} when nil).
	Check PeerCheck
}

// Path is where target's socket is under podsDir (for messages and for the
// tests' fake kubelet layout; Dial never resolves it as a path).
func Path(podsDir string, t Target) string {
	return filepath.Join(podsDir, relPath(t))
}

func relPath(t Target) string {
	vol := t.Volume
	if vol == "" {
		vol = SocketsVolume
	}
	return filepath.Join(string(t.PodUID), "volumes", emptyDirPlugin, vol, t.Socket)
}

// Dial opens target's socket without following symlinks, connects to the
// opened inode and checks the peer. A missing socket fails with an error
// matching os.ErrNotExist; a symlink, a path leaving the pods dir, a file that
// is no socket or a peer that fails the check with one matching ErrRefused.
func (d Dialer) Dial(ctx context.Context, t Target) (net.Conn, Peer, error) {
	if err := validName(string(t.PodUID)); err != nil {
		return nil, Peer{}, err
	}
	if err := validName(t.Socket); err != nil {
		return nil, Peer{}, err
	}
	fd, err := d.open(t)
	if err != nil {
		return nil, Peer{}, err
	}
	defer func() { _ = unix.Close(fd) }()
	conn, err := connectFD(ctx, fd)
	if err != nil {
		return nil, Peer{}, fmt.Errorf("connect to %s: %w", Path(d.podsDir(), t), err)
	}
	peer, err := peerOf(conn)
	if err != nil {
		_ = conn.Close()
		return nil, Peer{}, err
	}
	check := d.Check
	if check == nil {
		check = CgroupCheck{}
	}
	if err := check.Check(peer, t); err != nil {
		_ = conn.Close()
		return nil, Peer{}, fmt.Errorf("peer of %s: %w: %w", Path(d.podsDir(), t), ErrRefused, err)
	}
	return conn, peer, nil
}

func (d Dialer) podsDir() string {
	if d.PodsDir == "" {
		return DefaultPodsDir
	}
	return d.PodsDir
}

func validName(s string) error {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\x00") {
		return fmt.Errorf("%w: invalid path element %q", ErrRefused, s)
	}
	return nil
}

// open resolves the socket beneath the pods dir with no symlink at any step
// and returns an O_PATH descriptor of a socket inode.
func (d Dialer) open(t Target) (int, error) {
	root, err := unix.Open(d.podsDir(), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open pods dir %s: %w", d.podsDir(), err)
	}
	defer func() { _ = unix.Close(root) }()
	fd, err := unix.Openat2(root, relPath(t), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, unix.ENOENT):
		return -1, fmt.Errorf("socket %s: %w", Path(d.podsDir(), t), os.ErrNotExist)
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
		return -1, fmt.Errorf("socket %s: %w: a symlink or a path outside the pod", Path(d.podsDir(), t), ErrRefused)
	case err != nil:
		return -1, fmt.Errorf("open socket %s: %w", Path(d.podsDir(), t), err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("stat socket %s: %w", Path(d.podsDir(), t), err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("%s: %w: not a socket", Path(d.podsDir(), t), ErrRefused)
	}
	return fd, nil
}

// connectFD connects to the socket inode fd refers to. A unix socket cannot be
// opened, only connected to by path; the path /proc/self/fd/<fd> is the
// descriptor's magic link, which the kernel resolves to the very inode opened
// above, so nothing the tenant renamed or replaced since is looked up again.
func connectFD(ctx context.Context, fd int) (net.Conn, error) {
	var dialer net.Dialer
	return dialer.DialContext(ctx, "unix", "/proc/self/fd/"+strconv.Itoa(fd))
}

func peerOf(conn net.Conn) (Peer, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return Peer{}, fmt.Errorf("not a unix connection: %T", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return Peer{}, fmt.Errorf("raw connection: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	if credErr != nil {
		return Peer{}, fmt.Errorf("read peer credentials: %w", credErr)
	}
	return Peer{PID: cred.Pid, UID: cred.Uid, GID: cred.Gid}, nil
}
