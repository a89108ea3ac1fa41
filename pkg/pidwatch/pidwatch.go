package pidwatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNoPid is returned for a pid that cannot be watched (0: the process lives
// in a pid namespace the watcher cannot see).
var ErrNoPid = errors.New("no pid to watch")

// pollInterval bounds how long a watcher takes to notice its context ended.
const pollInterval = 500 * time.Millisecond

// Process is an open pidfd of one process.
type Process struct {
	fd int
}

// Open pins the process pid with a pidfd: from here on, the pid being reused
// by another process cannot confuse the watch. A process that is gone already
// gives an error wrapping unix.ESRCH.
func Open(pid int) (*Process, error) {
	if pid <= 0 {
		return nil, ErrNoPid
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	return &Process{fd: fd}, nil
}

// Close releases the pidfd.
func (p *Process) Close() error {
	return unix.Close(p.fd)
}

// Exited reports, without blocking, whether the process has exited.
func (p *Process) Exited() (bool, error) {
	return p.poll(0)
}

// Wait blocks until the process exits (nil) or ctx ends (ctx's error).
func (p *Process) Wait(ctx context.Context) error {
	for {
		exited, err := p.poll(pollInterval)
		if err != nil {
			return err
		}
		if exited {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (p *Process) poll(timeout time.Duration) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(timeout/time.Millisecond))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("poll pidfd: %w", err)
		}
		return n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0, nil
	}
}

// Watch calls onExit once when process pid exits, from a goroutine that ends
// then or when ctx ends (without calling onExit). A pid that is already gone
// calls onExit at once. It fails only when the pid cannot be watched at all.
func Watch(ctx context.Context, pid int, onExit func()) error {
	p, err := Open(pid)
	if errors.Is(err, unix.ESRCH) {
		go onExit()
		return nil
	}
	if err != nil {
		return err
	}
	go func() {
		defer func() { _ = p.Close() }()
		if p.Wait(ctx) == nil {
			onExit()
		}
	}()
	return nil
}
