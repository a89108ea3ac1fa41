package pidwatch

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"
)

func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func TestWatchSeesExit(t *testing.T) {
	cmd := startSleep(t)
	exited := make(chan struct{})
	if err := Watch(context.Background(), cmd.Process.Pid, func() { close(exited) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		t.Fatal("reported an exit of a running process")
	case <-time.After(100 * time.Millisecond):
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("exit not reported")
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	cmd := startSleep(t)
	p, err := Open(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a running process with an ended context = %v", err)
	}
}

func TestExitedAndBadPid(t *testing.T) {
	cmd := startSleep(t)
	p, err := Open(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	if exited, err := p.Exited(); err != nil || exited {
		t.Fatalf("Exited() = %v, %v on a running process", exited, err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if exited, err := p.Exited(); err != nil || !exited {
		t.Fatalf("Exited() = %v, %v after the kill", exited, err)
	}
	if _, err := Open(0); !errors.Is(err, ErrNoPid) {
		t.Fatalf("Open(0) = %v", err)
	}
}
