package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"k8s.io/klog/v2"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Commander sends one agent command (a JSON object with "execute") and returns
// the agent's whole reply; it fails at once when no agent is connected.
type Commander interface {
	AgentCommand(cmd string, timeout time.Duration) (string, error)
}

// Config tunes a Poller; zero values take the defaults.
type Config struct {
	// Interval between two reads while the agent is connected.
	Interval time.Duration
	// Retry is how often a disconnected agent is tried.
	Retry time.Duration
	// CommandTimeout bounds one agent command.
	CommandTimeout time.Duration
	// Changed is called after a read that changed the report.
	Changed func()
}

// Poller keeps the last report of the guest agent.
type Poller struct {
	cmd  Commander
	cfg  Config
	kick chan struct{}

	mu   sync.Mutex
	last *launcherv1.GuestAgentResponse
	thaw *time.Timer
}

// New returns a poller; Run starts it.
func New(cmd Commander, cfg Config) *Poller {
	if cfg.Interval == 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.Retry == 0 {
		cfg.Retry = 2 * time.Second
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 5 * time.Second
	}
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	return &Poller{cmd: cmd, cfg: cfg, kick: make(chan struct{}, 1), last: &launcherv1.GuestAgentResponse{}}
}

// Kick makes the poller read now, e.g. on an agent lifecycle event.
func (p *Poller) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Report returns a copy of the last report.
func (p *Poller) Report() *launcherv1.GuestAgentResponse {
	p.mu.Lock()
	defer p.mu.Unlock()
	return proto.Clone(p.last).(*launcherv1.GuestAgentResponse)
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	log := klog.FromContext(ctx)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			p.stopThawTimer()
			return
		case <-timer.C:
		case <-p.kick:
		}
		next := p.read()
		p.mu.Lock()
		next = keepWhileFrozen(p.last, next)
		changed := !proto.Equal(next, p.last)
		if changed && next.Connected != p.last.Connected {
			log.Info("guest agent", "connected", next.Connected, "version", next.Version)
		}
		p.last = next
		p.mu.Unlock()
		if changed {
			p.cfg.Changed()
		}
		wait := p.cfg.Retry
		if next.Connected {
			wait = p.cfg.Interval
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// read asks the agent for everything it reports. guest-info decides whether
// the agent is connected; the other queries are best effort (an older agent
// may lack one).
func (p *Poller) read() *launcherv1.GuestAgentResponse {
	out := &launcherv1.GuestAgentResponse{}
	raw, err := p.exec("guest-info", nil)
	if err != nil || parseInfo(raw, out) != nil {
		return &launcherv1.GuestAgentResponse{}
	}
	out.Connected = true
	if raw, err := p.exec("guest-get-osinfo", nil); err == nil {
		out.Os, _ = parseOSInfo(raw)
	}
	if raw, err := p.exec("guest-get-host-name", nil); err == nil {
		out.Hostname, _ = parseHostname(raw)
	}
	if raw, err := p.exec("guest-get-timezone", nil); err == nil {
		out.Timezone, out.TimezoneOffset, _ = parseTimezone(raw)
	}
	if raw, err := p.exec("guest-get-users", nil); err == nil {
		out.Users, _ = parseUsers(raw)
	}
	if raw, err := p.exec("guest-get-fsinfo", nil); err == nil {
		out.Filesystems, _ = parseFSInfo(raw)
	}
	if raw, err := p.exec("guest-network-get-interfaces", nil); err == nil {
		out.Interfaces, _ = parseInterfaces(raw)
	}
	if raw, err := p.exec("guest-fsfreeze-status", nil); err == nil {
		out.FsfreezeStatus, _ = parseFreezeStatus(raw)
	}
	return out
}

// keepWhileFrozen: a frozen agent disables most commands (and reports them
// disabled in guest-info), so while frozen the last thawed report's details
// stand, with the frozen status.
func keepWhileFrozen(last, next *launcherv1.GuestAgentResponse) *launcherv1.GuestAgentResponse {
	if !next.Connected || next.FsfreezeStatus != StatusFrozen || !last.Connected {
		return next
	}
	kept := proto.Clone(last).(*launcherv1.GuestAgentResponse)
	kept.FsfreezeStatus = StatusFrozen
	return kept
}

// exec sends one command with its arguments.
func (p *Poller) exec(name string, args any) (string, error) {
	cmd := map[string]any{"execute": name}
	if args != nil {
		cmd["arguments"] = args
	}
	raw, err := json.Marshal(cmd)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", name, err)
	}
	out, err := p.cmd.AgentCommand(string(raw), p.cfg.CommandTimeout)
	if err != nil {
		return "", fmt.Errorf("agent %s: %w", name, err)
	}
	return out, nil
}
