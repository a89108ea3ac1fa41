package controlplane

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// stopGrace is how long a process gets to exit after SIGTERM before SIGKILL.
	stopGrace = 15 * time.Second
	// killWait is how long to wait for a process to vanish after SIGKILL.
	killWait = 10 * time.Second
	// reapWait is how long Down waits for init to reap an exited detached process, so
	// no zombie is left in the process table (some minimal inits reap only lazily).
	reapWait = 10 * time.Second
	// pollInterval paces every readiness and liveness poll.
	pollInterval = 100 * time.Millisecond
)

// processSpec describes one control plane process to start.
type processSpec struct {
	name    string // etcd or kube-apiserver; also names the log and PID files
	path    string
	args    []string
	logPath string
	// detached starts the process in its own session so it outlives this program;
	// otherwise it dies with this program.
	detached bool
}

// process is a started or adopted control plane process.
type process struct {
	name    string
	pid     int
	logPath string
	// proc signals the process race-free (through a pidfd where the kernel has one).
	proc *os.Process
	// done is closed once this program has reaped the process; nil for a process
	// adopted from a PID file, which is polled through /proc instead.
	done chan struct{}
}

// startProcess starts spec with stdout and stderr appended to its log file. Unless
// detached, the process is killed when this program dies; stopping it on context
// cancellation is the owner's job (ControlPlane.stopOnCancel).
func startProcess(spec processSpec) (*process, error) {
	logFile, err := os.OpenFile(spec.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", spec.name, err)
	}
	defer logFile.Close() // the child holds its own descriptor

	// No exec.CommandContext: on cancellation the owner stops the processes in order
	// (kube-apiserver before etcd), which a per-process context cannot do.
	cmd := exec.Command(spec.path, spec.args...)
	if spec.detached {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		// Own process group: a terminal's Ctrl-C reaches only the test, which stops
		// them in order; SIGKILL if the test process dies without stopping them.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	onForkThread(func() { err = cmd.Start() })
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.name, err)
	}
	p := &process{
		name: spec.name, pid: cmd.Process.Pid, logPath: spec.logPath, proc: cmd.Process, done: make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		_ = cmd.Wait() // the exit status is in the log; callers only need to know it ended
	}()
	return p, nil
}

// forkThread is one OS thread, locked for the life of this program, that
// starts every child. The kernel sends Pdeathsig when the thread that forked
// the child exits, not the process: a test that ends a goroutine still locked
// to its thread (as code entering a network namespace does) would otherwise
// kill the control plane mid-run whenever that thread had forked it.
var forkThread struct {
	once sync.Once
	jobs chan func()
}

// onForkThread runs fn on forkThread and waits for it.
func onForkThread(fn func()) {
	forkThread.once.Do(func() {
		forkThread.jobs = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the goroutine never returns
			for job := range forkThread.jobs {
				job()
			}
		}()
	})
	done := make(chan struct{})
	forkThread.jobs <- func() { defer close(done); fn() }
	<-done
}

// adoptProcess returns the process whose PID is in pidFile if it is still running
// and its command line mentions marker (the work dir), so a recycled PID is never
// mistaken for ours. It returns nil, nil when there is nothing to stop.
func adoptProcess(name, pidFile, marker string) (*process, error) {
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s pid file: %w", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return nil, fmt.Errorf("parse %s pid file %s: %q", name, pidFile, data)
	}
	proc, err := os.FindProcess(pid) // pins the PID before the identity check below
	if err != nil || !processAlive(pid) {
		return nil, nil
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || !bytes.Contains(cmdline, []byte(marker)) {
		return nil, nil // gone meanwhile, or the PID now belongs to someone else
	}
	return &process{name: name, pid: pid, proc: proc}, nil
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may contain spaces.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	state := stat[i+2]
	return state != 'Z' && state != 'X'
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	if p.done != nil {
		select {
		case <-p.done:
			return true
		default:
			return false
		}
	}
	return !processAlive(p.pid)
}

// waitExit waits up to timeout for the process to end.
func (p *process) waitExit(timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	if p.done != nil {
		select {
		case <-p.done:
			return true
		case <-deadline.C:
			return false
		}
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if !processAlive(p.pid) {
			return true
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return !processAlive(p.pid)
		}
	}
}

// stop sends SIGTERM, then SIGKILL after stopGrace, and returns once the process is
// gone, or an error if it survives both.
func (p *process) stop() error {
	if p.exited() {
		return nil
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop %s (pid %d): %w", p.name, p.pid, err)
	}
	if p.waitExit(stopGrace) {
		return nil
	}
	if err := p.signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", p.name, p.pid, err)
	}
	if p.waitExit(killWait) {
		return nil
	}
	return fmt.Errorf("stop %s (pid %d): still running after SIGKILL", p.name, p.pid)
}

// waitReaped waits up to timeout until the exited process has left the process table
// (reaped by its parent), and reports whether it did. A PID that now belongs to a live
// process was reaped and reused.
func (p *process) waitReaped(timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(p.pid))); err != nil || processAlive(p.pid) {
			return true
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return false
		}
	}
}

// signal sends sig, treating a process that is already gone as success.
func (p *process) signal(sig syscall.Signal) error {
	err := p.proc.Signal(sig)
	if errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// writePIDFile records pid atomically.
func writePIDFile(path string, pid int) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}

// logTail returns the last n lines of a log file, for error messages.
func logTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
