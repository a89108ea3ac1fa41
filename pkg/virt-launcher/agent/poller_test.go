package agent

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// fakeAgent answers agent commands from a table; nil replies mean "no agent".
type fakeAgent struct {
	mu      sync.Mutex
	replies map[string]string
	sent    []string
}

func (f *fakeAgent) AgentCommand(cmd string, _ time.Duration) (string, error) {
	var c struct {
		Execute string `json:"execute"`
	}
	_ = json.Unmarshal([]byte(cmd), &c)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, c.Execute)
	if f.replies == nil {
		return "", errors.New("guest agent is not connected")
	}
	r, ok := f.replies[c.Execute]
	if !ok {
		return "", errors.New("command not found")
	}
	return r, nil
}

func (f *fakeAgent) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.sent {
		if s == name {
			n++
		}
	}
	return n
}

func TestReadConnectedAndNot(t *testing.T) {
	f := &fakeAgent{}
	p := New(f, Config{})
	if got := p.read(); got.Connected {
		t.Fatalf("no agent reads as connected: %v", got)
	}
	f.replies = map[string]string{
		"guest-info":            `{"return":{"version":"7.2.0","supported_commands":[]}}`,
		"guest-get-host-name":   `{"return":{"host-name":"vm1"}}`,
		"guest-get-osinfo":      `{"return":{"name":"kvirt test guest"}}`,
		"guest-fsfreeze-status": `{"return":"thawed"}`,
	}
	got := p.read()
	if !got.Connected || got.Version != "7.2.0" || got.Hostname != "vm1" || got.Os.GetName() != "kvirt test guest" ||
		got.FsfreezeStatus != StatusThawed {
		t.Fatalf("read = %v", got)
	}
}

func TestRunReportsChanges(t *testing.T) {
	f := &fakeAgent{replies: map[string]string{"guest-info": `{"return":{"version":"7.2.0"}}`}}
	changed := make(chan struct{}, 10)
	p := New(f, Config{Retry: time.Millisecond, Interval: time.Hour, Changed: func() { changed <- struct{}{} }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
	}
	if !p.Report().Connected {
		t.Fatal("report not connected")
	}
}

func TestFreezeThawsAutomatically(t *testing.T) {
	f := &fakeAgent{replies: map[string]string{"guest-fsfreeze-freeze": `{"return":1}`, "guest-fsfreeze-thaw": `{"return":1}`}}
	p := New(f, Config{})
	if err := p.Freeze(20 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.count("guest-fsfreeze-thaw") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no automatic thaw")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// An explicit unfreeze cancels the automatic one.
	if err := p.Freeze(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := p.Unfreeze(); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	pending := p.thaw != nil
	p.mu.Unlock()
	if pending {
		t.Fatal("automatic thaw still pending after unfreeze")
	}
}

func TestExec(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int32
		failure string
	}{
		{"exit 0 with output", `{"return":{"exited":true,"exitcode":0,"out-data":"aGk="}}`, 0, ""},
		{"exit 3", `{"return":{"exited":true,"exitcode":3}}`, 3, ""},
		{"never ends", `{"return":{"exited":false}}`, 0, "did not end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAgent{replies: map[string]string{"guest-exec": `{"return":{"pid":7}}`, "guest-exec-status": tc.status}}
			got := New(f, Config{}).Exec(context.Background(), []string{"/bin/true"}, 200*time.Millisecond)
			if got.ExitCode != tc.want || !strings.Contains(got.Failure, tc.failure) || (tc.failure == "" && got.Failure != "") {
				t.Fatalf("exec = %v", got)
			}
		})
	}
}

func TestKeepWhileFrozen(t *testing.T) {
	thawed := &launcherv1.GuestAgentResponse{Connected: true, Hostname: "vm1", FsfreezeStatus: StatusThawed,
		Commands: []*launcherv1.GuestAgentCommand{{Name: "guest-exec", Enabled: true}}}
	frozen := &launcherv1.GuestAgentResponse{Connected: true, FsfreezeStatus: StatusFrozen,
		Commands: []*launcherv1.GuestAgentCommand{{Name: "guest-exec"}}}
	got := keepWhileFrozen(thawed, frozen)
	if got.Hostname != "vm1" || got.FsfreezeStatus != StatusFrozen || !got.Commands[0].Enabled {
		t.Fatalf("frozen report = %v", got)
	}
	if got := keepWhileFrozen(thawed, &launcherv1.GuestAgentResponse{}); got.Connected {
		t.Fatal("a disconnected agent kept the old report")
	}
}
