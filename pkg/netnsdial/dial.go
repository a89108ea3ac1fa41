package netnsdial

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Path is the network namespace of process pid, as seen from a process in
// the node's pid namespace (virt-handler runs with hostPID).
func Path(pid int32) string { return fmt.Sprintf("/proc/%d/ns/net", pid) }

// DialTCP connects to addr from inside the network namespace at nsPath. Only
// the goroutine doing the dial enters the namespace, on a locked OS thread;
// the connection it returns is an ordinary net.Conn usable anywhere, since a
// socket stays in the namespace it was made in.
func DialTCP(ctx context.Context, nsPath string, addr netip.AddrPort) (net.Conn, error) {
	target, err := os.Open(nsPath)
	if err != nil {
		return nil, fmt.Errorf("open network namespace: %w", err)
	}
	defer func() { _ = target.Close() }()
	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := dialIn(ctx, target, addr)
		done <- result{conn, err}
	}()
	r := <-done
	return r.conn, r.err
}

// dialIn runs on its own goroutine. When the thread cannot return to its
// namespace it stays locked, and the runtime ends it with the goroutine
// rather than reuse a thread in the wrong namespace.
func dialIn(ctx context.Context, target *os.File, addr netip.AddrPort) (net.Conn, error) {
	runtime.LockOSThread()
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("open own network namespace: %w", err)
	}
	defer func() { _ = home.Close() }()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("enter network namespace: %w", err)
	}
	var d net.Dialer
	conn, dialErr := d.DialContext(ctx, "tcp", addr.String())
	if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return nil, fmt.Errorf("return to own network namespace: %w", err)
	}
	runtime.UnlockOSThread()
	if dialErr != nil {
		return nil, fmt.Errorf("dial %s in the pod's network namespace: %w", addr, dialErr)
	}
	return conn, nil
}
