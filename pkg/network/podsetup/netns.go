package podsetup

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// ErrOwnNetNS: the target is the network namespace of virt-handler (or of the
// host's init), which a pod network setup must never change.
var ErrOwnNetNS = errors.New("refusing to set up the pod network in virt-handler's or the host's network namespace")

// inNetNS runs fn on an OS thread that joined the network namespace at path.
// The thread is never unlocked, so the runtime ends it with the goroutine and
// no other goroutine ever runs in that namespace.
func inNetNS(path string, fn func(nsFD int) error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- enter(path, fn)
	}()
	return <-errc
}

func enter(path string, fn func(nsFD int) error) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer func() { _ = unix.Close(fd) }()
	var target unix.Stat_t
	if err := unix.Fstat(fd, &target); err != nil {
		return fmt.Errorf("stat network namespace %s: %w", path, err)
	}
	for _, own := range []string{"/proc/thread-self/ns/net", "/proc/1/ns/net"} {
		var st unix.Stat_t
		if err := unix.Stat(own, &st); err == nil && st.Dev == target.Dev && st.Ino == target.Ino {
			return fmt.Errorf("%s: %w", path, ErrOwnNetNS)
		}
	}
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter network namespace %s: %w", path, err)
	}
	return fn(fd)
}
