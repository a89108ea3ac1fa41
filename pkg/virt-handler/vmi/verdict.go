package vmi

import (
	"fmt"
	"time"
)

// DefaultLauncherWatchdog is how long a launcher that was reached before may go
// without answering before its VMI is failed (--launcher-watchdog).
const DefaultLauncherWatchdog = 30 * time.Second

// LauncherHealth is the verdict on one VMI's launcher.
type LauncherHealth int

// Launcher health verdicts.
const (
	// LauncherHealthy: the launcher answered in this sync.
	LauncherHealthy LauncherHealth = iota
	// LauncherUnresponsive: no answer (yet), but no evidence it is gone: the
	// VMI keeps its phase and the handler looks again soon.
	LauncherUnresponsive
	// LauncherGone: the launcher is gone for good; the VMI fails.
	LauncherGone
)

func (h LauncherHealth) String() string {
	switch h {
	case LauncherHealthy:
		return "Healthy"
	case LauncherUnresponsive:
		return "Unresponsive"
	case LauncherGone:
		return "Gone"
	}
	return fmt.Sprintf("LauncherHealth(%d)", int(h))
}

// LauncherObservation is everything the handler knows about a launcher at one
// sync. Each source of evidence is a separate field so that callers wire the
// ones they have (the pod fields stay false where no pod is watched).
type LauncherObservation struct {
	// Answered: the dial and the calls of this sync succeeded.
	Answered bool
	// Seen: the launcher answered at least once (persisted across handler
	// restarts); a launcher never reached is still starting, not gone.
	Seen bool
	// UnansweredSince is the first call of the current run of unanswered
	// ones (zero while the launcher answers). The watchdog runs from here, not
	// from the last answer: a launcher not called for a while was not silent.
	// A restarted handler starts counting again, giving a full period.
	UnansweredSince time.Time
	// ProcessExited: the launcher process (watched by pidfd) has exited.
	ProcessExited bool
	// ConnectionClosed: the connection to the launcher broke. Alone it only
	// asks for a prompt redial: a launcher may close a connection and live.
	ConnectionClosed bool
	// SocketRefused: a dial found the socket file but nobody listening.
	SocketRefused bool
	// SocketAbsent: the socket file does not exist.
	SocketAbsent bool
	// PodGone: the launcher pod was deleted; PodTerminated: it failed or
	// succeeded, or its compute container terminated.
	PodGone       bool
	PodTerminated bool
}

// Verdict is LauncherVerdict's answer; Reason says why a launcher is Gone.
type Verdict struct {
	Health LauncherHealth
	Reason string
}

// LauncherVerdict decides whether a launcher is healthy, merely slow, or gone.
// Gone needs evidence: the process exited, the socket refuses or vanished after
// the launcher was seen, the pod ended, or the launcher stayed silent for a
// whole watchdog period. One slow or failed call is never enough.
func LauncherVerdict(o LauncherObservation, now time.Time, watchdog time.Duration) Verdict {
	switch {
	case o.PodGone:
		return Verdict{LauncherGone, "the launcher pod was deleted"}
	case o.PodTerminated:
		return Verdict{LauncherGone, "the launcher pod terminated"}
	case o.ProcessExited:
		return Verdict{LauncherGone, "the launcher process exited"}
	case o.Answered:
		return Verdict{Health: LauncherHealthy}
	case !o.Seen:
		return Verdict{Health: LauncherUnresponsive}
	case o.SocketRefused:
		return Verdict{LauncherGone, "the launcher socket refuses connections"}
	case o.SocketAbsent:
		return Verdict{LauncherGone, "the launcher socket was removed"}
	}
	if watchdog <= 0 {
		watchdog = DefaultLauncherWatchdog
	}
	if o.UnansweredSince.IsZero() || now.Sub(o.UnansweredSince) < watchdog {
		return Verdict{Health: LauncherUnresponsive}
	}
	return Verdict{LauncherGone, fmt.Sprintf("the launcher did not answer for %s",
		now.Sub(o.UnansweredSince).Round(time.Second))}
}
