package virtlauncher

import (
	"testing"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestEventForAndFinished(t *testing.T) {
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: 1}
	tests := []struct {
		name         string
		old, cur     *launcherv1.Domain
		wantEvent    string
		wantFinished bool
	}{
		{"first report of a running domain", nil, running, "Started", false},
		{"paused", running, &launcherv1.Domain{State: "Paused", StartedUnixNano: 1}, "Suspended", false},
		{"resumed", &launcherv1.Domain{State: "Paused"}, running, "Resumed", false},
		{"guest powered off", running, &launcherv1.Domain{State: "Shutoff", Reason: "Shutdown", StartedUnixNano: 1}, "Stopped", true},
		{"qemu killed", running, &launcherv1.Domain{State: "Shutoff", Reason: "Crashed", StartedUnixNano: 1}, "Crashed", true},
		{"failed to start", nil, &launcherv1.Domain{State: "Shutoff", Failure: "disk"}, "Failed", true},
		{"defined but never started", nil, &launcherv1.Domain{State: "Shutoff"}, "Stopped", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := eventFor(tc.old, tc.cur); got != tc.wantEvent {
				t.Errorf("eventFor = %s, want %s", got, tc.wantEvent)
			}
			if got := finished(tc.cur); got != tc.wantFinished {
				t.Errorf("finished = %v, want %v", got, tc.wantFinished)
			}
		})
	}
}
