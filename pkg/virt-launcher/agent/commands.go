package agent

import (
	"context"
	"fmt"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Freeze status values of guest-fsfreeze-status.
const (
	StatusFrozen = "frozen"
	StatusThawed = "thawed"
)

// maxExecOutput bounds what an exec keeps of the command's output.
const maxExecOutput = 4096

// Freeze freezes the guest's filesystems. With a positive unfreezeAfter the
// poller thaws them by itself once it has passed, unless Unfreeze came first;
// freezing again restarts that deadline.
func (p *Poller) Freeze(unfreezeAfter time.Duration) error {
	if _, err := p.exec("guest-fsfreeze-freeze", nil); err != nil {
		return err
	}
	p.mu.Lock()
	if p.thaw != nil {
		p.thaw.Stop()
		p.thaw = nil
	}
	if unfreezeAfter > 0 {
		p.thaw = time.AfterFunc(unfreezeAfter, func() { _ = p.Unfreeze() })
	}
	p.mu.Unlock()
	p.Kick()
	return nil
}

// Unfreeze thaws the guest's filesystems and cancels an automatic thaw.
func (p *Poller) Unfreeze() error {
	p.stopThawTimer()
	if _, err := p.exec("guest-fsfreeze-thaw", nil); err != nil {
		return err
	}
	p.Kick()
	return nil
}

func (p *Poller) stopThawTimer() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.thaw != nil {
		p.thaw.Stop()
		p.thaw = nil
	}
}

// Ping checks that the agent answers guest-ping.
func (p *Poller) Ping(timeout time.Duration) error {
	_, err := p.cmdWithTimeout(`{"execute":"guest-ping"}`, timeout)
	return err
}

func (p *Poller) cmdWithTimeout(cmd string, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = p.cfg.CommandTimeout
	}
	out, err := p.cmd.AgentCommand(cmd, timeout)
	if err != nil {
		return "", fmt.Errorf("agent: %w", err)
	}
	return out, nil
}

// Exec runs argv in the guest and waits for it to end, at most timeout.
func (p *Poller) Exec(ctx context.Context, argv []string, timeout time.Duration) *launcherv1.GuestExecResponse {
	if len(argv) == 0 {
		return &launcherv1.GuestExecResponse{Failure: "no command"}
	}
	if timeout <= 0 {
		timeout = time.Second
	}
	raw, err := p.exec("guest-exec", map[string]any{"path": argv[0], "arg": argv[1:], "capture-output": true})
	if err != nil {
		return &launcherv1.GuestExecResponse{Failure: err.Error()}
	}
	started, err := decode[struct {
		PID int64 `json:"pid"`
	}](raw)
	if err != nil {
		return &launcherv1.GuestExecResponse{Failure: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		raw, err := p.exec("guest-exec-status", map[string]any{"pid": started.PID})
		if err != nil {
			return &launcherv1.GuestExecResponse{Failure: err.Error()}
		}
		st, err := decode[execStatus](raw)
		if err != nil {
			return &launcherv1.GuestExecResponse{Failure: err.Error()}
		}
		if st.Exited {
			out := st.OutData
			if len(out) > maxExecOutput {
				out = out[:maxExecOutput]
			}
			return &launcherv1.GuestExecResponse{ExitCode: st.ExitCode, Stdout: string(out)}
		}
		select {
		case <-ctx.Done():
			return &launcherv1.GuestExecResponse{Failure: fmt.Sprintf("command did not end within %s", timeout)}
		case <-tick.C:
		}
	}
}
