package probe

import (
	"time"

	virtv1 "kvirt.io/api/core/v1"
)

// State is what virt-handler remembers of one probe across syncs (and
// restarts: it is part of the VMI's node record).
type State struct {
	// Successes and Failures count the latest outcomes in a row.
	Successes int32 `json:"successes,omitempty"`
	Failures  int32 `json:"failures,omitempty"`
	// LastRun is when the probe ran last, zero before the first run.
	LastRun time.Time `json:"lastRun,omitempty"`
	// Passing is the probe's verdict: readiness ready, liveness alive.
	Passing bool `json:"passing,omitempty"`
	// Decided: a threshold was reached at least once.
	Decided bool `json:"decided,omitempty"`
}

// Handled says whether virt-handler runs this probe: exec and guestAgentPing
// go through the guest agent; httpGet and tcpSocket are kubelet's.
func Handled(p *virtv1.Probe) bool {
	return p != nil && (p.Exec != nil || p.GuestAgentPing != nil)
}

// Timing is a probe's schedule with upstream's defaults filled in.
type Timing struct {
	InitialDelay, Period, Timeout time.Duration
	SuccessThreshold              int32
	FailureThreshold              int32
}

// TimingOf reads the probe's schedule; zero fields take upstream's defaults
// (period 10 s, timeout 1 s, success 1, failure 3).
func TimingOf(p *virtv1.Probe) Timing {
	t := Timing{InitialDelay: time.Duration(p.InitialDelaySeconds) * time.Second,
		Period: 10 * time.Second, Timeout: time.Second, SuccessThreshold: 1, FailureThreshold: 3}
	if p.PeriodSeconds > 0 {
		t.Period = time.Duration(p.PeriodSeconds) * time.Second
	}
	if p.TimeoutSeconds > 0 {
		t.Timeout = time.Duration(p.TimeoutSeconds) * time.Second
	}
	if p.SuccessThreshold > 0 {
		t.SuccessThreshold = p.SuccessThreshold
	}
	if p.FailureThreshold > 0 {
		t.FailureThreshold = p.FailureThreshold
	}
	return t
}

// Due says whether the probe runs now, for a guest running since started,
// and otherwise how long until it is due.
func Due(st State, t Timing, started, now time.Time) (bool, time.Duration) {
	first := started.Add(t.InitialDelay)
	if now.Before(first) {
		return false, first.Sub(now)
	}
	if st.LastRun.IsZero() {
		return true, 0
	}
	next := st.LastRun.Add(t.Period)
	if now.Before(next) {
		return false, next.Sub(now)
	}
	return true, 0
}

// Record folds one outcome into the state: the verdict changes once the
// success or failure threshold is reached in a row.
func Record(st State, t Timing, ok bool, now time.Time) State {
	st.LastRun = now
	if ok {
		st.Successes, st.Failures = st.Successes+1, 0
		if st.Successes >= t.SuccessThreshold {
			st.Passing, st.Decided = true, true
		}
		return st
	}
	st.Successes, st.Failures = 0, st.Failures+1
	if st.Failures >= t.FailureThreshold {
		st.Passing, st.Decided = false, true
	}
	return st
}

// Exec is the command an exec probe runs; nil for other probes.
func Exec(p *virtv1.Probe) []string {
	if p == nil || p.Exec == nil {
		return nil
	}
	return p.Exec.Command
}
