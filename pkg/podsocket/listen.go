package podsocket

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Listen creates t's socket in the pod's volume and listens on it, owned by
// t.RunAsUser so the pod's processes may connect. Like Dial it never follows
// a path the tenant could have changed: the volume directory is opened with
// openat2 (no symlinks, beneath the pods dir), a stale entry of that name is
// unlinked (a symlink itself, never its target), the socket is bound through
// the directory's descriptor (/proc/self/fd/<dir>/<name>) and its owner is
// changed without following a link at the name. Closing the listener leaves
// the socket file, which goes with the pod's volume.
func (d Dialer) Listen(t Target) (net.Listener, error) {
	if err := validName(string(t.PodUID)); err != nil {
		return nil, err
	}
	if err := validName(t.Socket); err != nil {
		return nil, err
	}
	dir, err := d.openVolume(t)
	if err != nil {
		return nil, err
	}
	defer func() { _ = unix.Close(dir) }()
	if err := unix.Unlinkat(dir, t.Socket, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return nil, fmt.Errorf("remove stale %s: %w", Path(d.podsDir(), t), err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Net: "unix",
		Name: "/proc/self/fd/" + strconv.Itoa(dir) + "/" + t.Socket})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", Path(d.podsDir(), t), err)
	}
	// The bound name is only valid while dir is open: never unlink by it.
	ln.SetUnlinkOnClose(false)
	id := int(t.RunAsUser)
	if err := unix.Fchownat(dir, t.Socket, id, id, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("hand %s to uid %d: %w", Path(d.podsDir(), t), id, err)
	}
	return ln, nil
}

// openVolume opens the directory of t's socket like open does the socket.
func (d Dialer) openVolume(t Target) (int, error) {
	root, err := unix.Open(d.podsDir(), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open pods dir %s: %w", d.podsDir(), err)
	}
	defer func() { _ = unix.Close(root) }()
	rel := filepath.Dir(relPath(t))
	fd, err := unix.Openat2(root, rel, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
		return -1, fmt.Errorf("socket volume %s: %w: a symlink or a path outside the pod",
			filepath.Join(d.podsDir(), rel), ErrRefused)
	case err != nil:
		return -1, fmt.Errorf("open socket volume %s: %w", filepath.Join(d.podsDir(), rel), err)
	}
	return fd, nil
}
