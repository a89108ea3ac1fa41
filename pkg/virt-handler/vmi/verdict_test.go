package vmi

import (
	"testing"
	"time"
)

func TestLauncherVerdict(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	const watchdog = 30 * time.Second
	tests := []struct {
		name string
		obs  LauncherObservation
		want LauncherHealth
	}{
		{"answered", LauncherObservation{Answered: true, Seen: true}, LauncherHealthy},
		{"not reached yet: still starting", LauncherObservation{SocketAbsent: true, UnansweredSince: ago(time.Hour)}, LauncherUnresponsive},
		{"never reached, refused: still starting", LauncherObservation{SocketRefused: true, UnansweredSince: ago(time.Hour)}, LauncherUnresponsive},
		{"one slow reply", LauncherObservation{Seen: true, UnansweredSince: now}, LauncherUnresponsive},
		{"silent for less than the watchdog", LauncherObservation{Seen: true, UnansweredSince: ago(29 * time.Second)}, LauncherUnresponsive},
		{"silent for the watchdog", LauncherObservation{Seen: true, UnansweredSince: ago(30 * time.Second)}, LauncherGone},
		{"connection closed alone is no proof", LauncherObservation{Seen: true, ConnectionClosed: true, UnansweredSince: ago(time.Second)}, LauncherUnresponsive},
		{"no failed call recorded: never gone by silence", LauncherObservation{Seen: true}, LauncherUnresponsive},
		{"process exited", LauncherObservation{Seen: true, ProcessExited: true}, LauncherGone},
		{"socket refuses after it answered", LauncherObservation{Seen: true, SocketRefused: true, UnansweredSince: now}, LauncherGone},
		{"socket removed after it answered", LauncherObservation{Seen: true, SocketAbsent: true, UnansweredSince: now}, LauncherGone},
		{"pod deleted", LauncherObservation{PodGone: true}, LauncherGone},
		{"pod terminated", LauncherObservation{Seen: true, PodTerminated: true}, LauncherGone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := LauncherVerdict(tc.obs, now, watchdog)
			if got.Health != tc.want {
				t.Fatalf("verdict %s (%q), want %s", got.Health, got.Reason, tc.want)
			}
			if (got.Health == LauncherGone) != (got.Reason != "") {
				t.Errorf("reason %q for %s", got.Reason, got.Health)
			}
		})
	}
}

func TestLauncherVerdictDefaultWatchdog(t *testing.T) {
	now := time.Now()
	obs := LauncherObservation{Seen: true, UnansweredSince: now.Add(-DefaultLauncherWatchdog + time.Second)}
	if got := LauncherVerdict(obs, now, 0); got.Health != LauncherUnresponsive {
		t.Fatalf("inside the default watchdog: %s", got.Health)
	}
	obs.UnansweredSince = now.Add(-DefaultLauncherWatchdog)
	if got := LauncherVerdict(obs, now, 0); got.Health != LauncherGone {
		t.Fatalf("after the default watchdog: %s", got.Health)
	}
}
