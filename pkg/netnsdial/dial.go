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

// ListenTCP listens on addr inside the network namespace at nsPath, like
// DialTCP: only the listening socket is made in the namespace, and it accepts
// that namespace's connections wherever its Accept is called.
func ListenTCP(nsPath string, addr netip.AddrPort) (net.Listener, error) {
	target, err := os.Open(nsPath)
	if err != nil {
		return nil, fmt.Errorf("open network namespace: %w", err)
	}
	defer func() { _ = target.Close() }()
	type result struct {
		ln  net.Listener
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = inNamespace(target, func() error {
			var lerr error
			r.ln, lerr = net.Listen("tcp", addr.String())
			return lerr
		})
		if r.err != nil {
			if r.ln != nil {
				_ = r.ln.Close()
			}
			r.ln, r.err = nil, fmt.Errorf("listen on %s in the pod's network namespace: %w", addr, r.err)
		}
		done <- r
	}()
	r := <-done
	return r.ln, r.err
}

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

// dialIn runs on its own goroutine.
func dialIn(ctx context.Context, target *os.File, addr netip.AddrPort) (net.Conn, error) {
	var conn net.Conn
	err := inNamespace(target, func() error {
		var d net.Dialer
		var derr error
		conn, derr = d.DialContext(ctx, "tcp", addr.String())
		return derr
	})
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return nil, fmt.Errorf("dial %s in the pod's network namespace: %w", addr, err)
	}
	return conn, nil
}

// inNamespace runs fn on this goroutine's OS thread inside the namespace
// target, then returns the thread to its own. When the thread cannot return
// it stays locked, and the runtime ends it with the goroutine rather than
// reuse a thread in the wrong namespace; the caller closes what fn made when
// it returns an error.
func inNamespace(target *os.File, fn func() error) error {
	runtime.LockOSThread()
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("open own network namespace: %w", err)
	}
	defer func() { _ = home.Close() }()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace: %w", err)
	}
	fnErr := fn()
	if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("return to own network namespace: %w", err)
	}
	runtime.UnlockOSThread()
	return fnErr
}
