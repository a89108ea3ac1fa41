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
		{"answered", LauncherObservation{Answered: true, Seen: true, LastContact: now}, LauncherHealthy},
		{"not reached yet: still starting", LauncherObservation{SocketAbsent: true, Since: ago(time.Hour)}, LauncherUnresponsive},
		{"never reached, refused: still starting", LauncherObservation{SocketRefused: true, Since: ago(time.Hour)}, LauncherUnresponsive},
		{"one slow reply", LauncherObservation{Seen: true, LastContact: ago(2 * time.Second), Since: ago(time.Hour)}, LauncherUnresponsive},
		{"silent for less than the watchdog", LauncherObservation{Seen: true, LastContact: ago(29 * time.Second), Since: ago(time.Hour)}, LauncherUnresponsive},
		{"silent for the watchdog", LauncherObservation{Seen: true, LastContact: ago(30 * time.Second), Since: ago(time.Hour)}, LauncherGone},
		{"connection closed alone is no proof", LauncherObservation{Seen: true, ConnectionClosed: true, LastContact: ago(time.Second)}, LauncherUnresponsive},
		{"handler restarted: watchdog runs from its start", LauncherObservation{Seen: true, Since: ago(10 * time.Second)}, LauncherUnresponsive},
		{"handler restarted long ago, never answered", LauncherObservation{Seen: true, Since: ago(31 * time.Second)}, LauncherGone},
		{"no start time and no contact: never gone by silence", LauncherObservation{Seen: true}, LauncherUnresponsive},
		{"process exited", LauncherObservation{Seen: true, ProcessExited: true, LastContact: now}, LauncherGone},
		{"socket refuses after it answered", LauncherObservation{Seen: true, SocketRefused: true, LastContact: ago(time.Second)}, LauncherGone},
		{"socket removed after it answered", LauncherObservation{Seen: true, SocketAbsent: true, LastContact: ago(time.Second)}, LauncherGone},
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
	obs := LauncherObservation{Seen: true, LastContact: now.Add(-DefaultLauncherWatchdog + time.Second)}
	if got := LauncherVerdict(obs, now, 0); got.Health != LauncherUnresponsive {
		t.Fatalf("inside the default watchdog: %s", got.Health)
	}
	obs.LastContact = now.Add(-DefaultLauncherWatchdog)
	if got := LauncherVerdict(obs, now, 0); got.Health != LauncherGone {
		t.Fatalf("after the default watchdog: %s", got.Health)
	}
}
