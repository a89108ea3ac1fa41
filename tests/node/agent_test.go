package node

import (
	"context"
	"strings"
	"testing"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// waitForAgent polls the launcher's guest agent report until ok says yes.
func waitForAgent(t *testing.T, l *nodeenv.Launcher, timeout time.Duration,
	ok func(*launcherv1.GuestAgentResponse) bool) *launcherv1.GuestAgentResponse {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *launcherv1.GuestAgentResponse
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := l.Client.GetGuestAgent(ctx, &launcherv1.Empty{})
		cancel()
		if err == nil {
			last = r
			if ok(r) {
				return r
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("guest agent report not as wanted after %s; last %v", timeout, last)
	return nil
}

// TestLauncherGuestAgent: the test guest's qemu-ga connects, reports the OS,
// freezes and thaws (also by itself after the unfreeze timeout) and runs
// commands.
func TestLauncherGuestAgent(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("agent")
	l := startLauncher(t, env, string(vmi.UID), "")
	start := time.Now()
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	r := waitForAgent(t, l, 180*time.Second, func(r *launcherv1.GuestAgentResponse) bool {
		return r.Connected && r.Os != nil && r.FsfreezeStatus != ""
	})
	t.Logf("FIGURE guest agent TCG: sync->agent report %s", time.Since(start))
	if r.Os.Name != "kvirt test guest" || r.Os.Id != "kvirt-test-guest" || r.Version == "" || len(r.Commands) == 0 {
		t.Fatalf("agent report = %v", r)
	}
	if r.FsfreezeStatus != "thawed" {
		t.Fatalf("fsfreeze status %q, want thawed", r.FsfreezeStatus)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if res, err := l.Client.Freeze(ctx, &launcherv1.FreezeRequest{UnfreezeTimeoutSeconds: 3}); err != nil || !res.Success {
		t.Fatalf("Freeze = %v, %v", res, err)
	}
	waitForAgent(t, l, 20*time.Second, func(r *launcherv1.GuestAgentResponse) bool { return r.FsfreezeStatus == "frozen" })
	// Nothing thaws but the unfreeze timeout.
	waitForAgent(t, l, 30*time.Second, func(r *launcherv1.GuestAgentResponse) bool { return r.FsfreezeStatus == "thawed" })
	if res, err := l.Client.Freeze(ctx, &launcherv1.FreezeRequest{}); err != nil || !res.Success {
		t.Fatalf("Freeze = %v, %v", res, err)
	}
	if res, err := l.Client.Unfreeze(ctx, &launcherv1.Empty{}); err != nil || !res.Success {
		t.Fatalf("Unfreeze = %v, %v", res, err)
	}
	if res, err := l.Client.GuestPing(ctx, &launcherv1.GuestPingRequest{TimeoutSeconds: 5}); err != nil || !res.Success {
		t.Fatalf("GuestPing = %v, %v", res, err)
	}
	ex, err := l.Client.GuestExec(ctx, &launcherv1.GuestExecRequest{Command: []string{"/bin/sh", "-c", "echo hi; exit 3"},
		TimeoutSeconds: 10})
	if err != nil || ex.Failure != "" || ex.ExitCode != 3 || strings.TrimSpace(ex.Stdout) != "hi" {
		t.Fatalf("GuestExec = %v, %v", ex, err)
	}
}
