package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Commander sends one agent command and returns the agent's reply.
type Commander interface {
	AgentCommand(cmd string, timeout time.Duration) (string, error)
}

// Config configures a Manager; zero durations take the defaults.
type Config struct {
	// Dir holds one directory per mounted Secret, named for the Secret.
	Dir string
	// Agent sends the commands.
	Agent Commander
	// Interval is how often the files are read (and a failed push retried).
	Interval time.Duration
	// CommandTimeout bounds one agent command.
	CommandTimeout time.Duration
	// Changed is called when the reported status changes.
	Changed func()
}

// Manager pushes the credentials of the VMI it was given into the guest.
type Manager struct {
	cfg  Config
	kick chan struct{}

	mu     sync.Mutex
	spec   []virtv1.AccessCredential
	pushed *Desired
	status *launcherv1.AccessCredentialsStatus
}

// New returns a manager; Run starts it.
func New(cfg Config) *Manager {
	if cfg.Interval == 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 10 * time.Second
	}
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	return &Manager{cfg: cfg, kick: make(chan struct{}, 1)}
}

// SetSpec gives the VMI's access credentials (from SyncVMI); the first call
// counts, the VMI's credentials do not change while it runs.
func (m *Manager) SetSpec(acs []virtv1.AccessCredential) {
	m.mu.Lock()
	first := m.spec == nil
	if first {
		m.spec = append([]virtv1.AccessCredential{}, acs...)
	}
	m.mu.Unlock()
	if first {
		m.Kick()
	}
}

// Kick makes the manager read and push now; after an agent (re)connect the
// guest may have lost what was pushed, so everything is pushed again.
func (m *Manager) Kick() {
	m.mu.Lock()
	m.pushed = nil
	m.mu.Unlock()
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Status is the outcome of the last push; nil while there is nothing to report
// (no agent-propagated credentials, or none tried yet).
func (m *Manager) Status() *launcherv1.AccessCredentialsStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.status == nil {
		return nil
	}
	return &launcherv1.AccessCredentialsStatus{Succeeded: m.status.Succeeded, Message: m.status.Message}
}

// Run reads and pushes until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	tick := time.NewTicker(m.cfg.Interval)
	defer tick.Stop()
	for {
		m.sync(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-m.kick:
		}
	}
}

// sync pushes when what the files say differs from what was pushed last.
func (m *Manager) sync(ctx context.Context) {
	m.mu.Lock()
	spec, pushed := m.spec, m.pushed
	m.mu.Unlock()
	if len(SecretNames(spec)) == 0 {
		return
	}
	d, err := Read(m.cfg.Dir, spec)
	if err == nil && pushed != nil && reflect.DeepEqual(*pushed, d) {
		return
	}
	if err == nil {
		err = m.push(d)
	}
	m.mu.Lock()
	prev := m.status
	if err != nil {
		m.status = &launcherv1.AccessCredentialsStatus{Message: err.Error()}
	} else {
		m.pushed = &d
		m.status = &launcherv1.AccessCredentialsStatus{Succeeded: true}
	}
	changed := prev == nil || prev.Succeeded != m.status.Succeeded || prev.Message != m.status.Message
	m.mu.Unlock()
	if changed {
		klog.FromContext(ctx).Info("access credentials", "synchronized", err == nil, "err", errString(err))
		m.cfg.Changed()
	}
}

func (m *Manager) push(d Desired) error {
	for _, c := range Commands(d) {
		raw, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode %s: %w", c.Execute, err)
		}
		if _, err := m.cfg.Agent.AgentCommand(string(raw), m.cfg.CommandTimeout); err != nil {
			return fmt.Errorf("%s for user %v: %w", c.Execute, c.Arguments["username"], err)
		}
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
