package migration

import (
	"fmt"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Abort outcomes (migrationState.abortStatus), upstream's values.
const (
	AbortSucceeded = "Succeeded"
	AbortFailed    = "Failed"
)

// ReasonNoRecord fails a started migration that the source launcher does not
// know: the launcher was replaced, so nothing is being sent.
const ReasonNoRecord = "the source launcher has no record of the migration"

// SourceObserved is what the source node's handler knows at one sync.
type SourceObserved struct {
	// Migration is the source launcher's GetMigration answer; nil when the
	// launcher did not answer.
	Migration *launcherv1.MigrationStatus
	// Pod is the source launcher pod's name.
	Pod string
	// Progress is when the migration last made progress (Track).
	Progress time.Time
	// AbortReason is why this handler aborted the migration, "" when it did
	// not (the state store keeps it across restarts).
	AbortReason string
	// GuestBytes is what a completion timeout scales with: the guest's
	// memory plus the disks whose contents are copied.
	GuestBytes int64
	// DomainMigrated: the launcher's last domain report was Shutoff with
	// reason Migrated. A source launcher exits soon after its domain left,
	// so a handler that comes back later learns the outcome from that.
	DomainMigrated bool
}

// SourceAction is what the source's handler does next.
type SourceAction int

// Source actions.
const (
	// SourceWait: nothing to do yet (no target address, no answer).
	SourceWait SourceAction = iota
	// SourceStart: relay the streams and call Migrate.
	SourceStart
	// SourceAbort: call AbortMigration and remember AbortReason.
	SourceAbort
	// SourceReport: patch State.
	SourceReport
)

// SourceStep is Source's decision.
type SourceStep struct {
	Action SourceAction
	// State is the VMI's migrationState as the source leaves it (a copy).
	State *virtv1.VirtualMachineInstanceMigrationState
	// AbortReason says why, with SourceAbort.
	AbortReason string
}

// Source decides the source handler's next step for a VMI whose RoleOf is
// RoleSource. It owns startTimestamp, endTimestamp, mode, sourcePod,
// completed, failed, failureReason and, once an abort has an outcome,
// abortStatus. The launcher's own report is the truth: a restarted handler
// picks up where the launcher is, and a migration it cannot find ends failed
// with the VMI still running here.
func Source(vmi *virtv1.VirtualMachineInstance, obs SourceObserved, now metav1.Time) SourceStep {
	st := vmi.Status.MigrationState.DeepCopy()
	step := SourceStep{State: st}
	m := obs.Migration
	if m == nil && obs.DomainMigrated {
		m = &launcherv1.MigrationStatus{Completed: true}
		obs.Migration = m
	}
	if st.Completed || st.Failed || m == nil {
		return step
	}
	if m.None {
		return notStarted(step, obs, now)
	}
	switch {
	case m.Completed:
		finished(st, obs, now, true, "")
	case m.Failed:
		finished(st, obs, now, false, m.FailureReason)
	default:
		started(st, obs, m)
		if reason := abortReason(st, obs, now); reason != "" && !m.AbortRequested {
			step.Action, step.AbortReason = SourceAbort, reason
			return step
		}
	}
	if !apiequality.Semantic.DeepEqual(st, vmi.Status.MigrationState) {
		step.Action = SourceReport
	}
	return step
}

// notStarted decides for a migration the launcher was not asked for: start
// it once the target is published, unless it was deleted (virt-controller
// ends it then); one that was started before is lost.
func notStarted(step SourceStep, obs SourceObserved, now metav1.Time) SourceStep {
	st := step.State
	switch {
	case st.StartTimestamp != nil:
		finished(st, obs, now, false, ReasonNoRecord)
		step.Action = SourceReport
	case !st.AbortRequested && st.TargetNodeAddress != "":
		step.Action = SourceStart
	}
	return step
}

// started records what a running migration shows.
func started(st *virtv1.VirtualMachineInstanceMigrationState, obs SourceObserved, m *launcherv1.MigrationStatus) {
	if st.StartTimestamp == nil && m.StartUnixNano > 0 {
		t := metav1.NewTime(time.Unix(0, m.StartUnixNano).UTC())
		st.StartTimestamp = &t
	}
	if m.Mode != "" {
		st.Mode = virtv1.MigrationMode(m.Mode)
	}
	if obs.Pod != "" {
		st.SourcePod = obs.Pod
	}
}

// finished records a migration's outcome: an abort that was asked for
// succeeded when the migration failed, and came too late when it completed.
func finished(st *virtv1.VirtualMachineInstanceMigrationState, obs SourceObserved, now metav1.Time,
	completed bool, reason string) {
	m := obs.Migration
	started(st, obs, m)
	end := now
	if m.EndUnixNano > 0 {
		end = metav1.NewTime(time.Unix(0, m.EndUnixNano).UTC())
	}
	st.EndTimestamp = &end
	aborting := st.AbortRequested || m.AbortRequested || obs.AbortReason != ""
	if completed {
		st.Completed = true
		if aborting {
			st.AbortStatus = AbortFailed
		}
		return
	}
	st.Failed = true
	if obs.AbortReason != "" {
		reason = obs.AbortReason
	}
	if reason == "" {
		reason = "the migration failed"
	}
	st.FailureReason = reason
	if aborting {
		st.AbortStatus = AbortSucceeded
	}
}

// abortReason says why a running migration must be aborted: its migration
// was deleted, it made no progress for progressTimeout seconds, or it ran
// longer than completionTimeoutPerGiB seconds per GiB of guest.
func abortReason(st *virtv1.VirtualMachineInstanceMigrationState, obs SourceObserved, now metav1.Time) string {
	if st.AbortRequested {
		return "the migration was deleted"
	}
	cfg := st.MigrationConfiguration
	if cfg == nil {
		return ""
	}
	if p := time.Duration(cfg.ProgressTimeout) * time.Second; p > 0 && !obs.Progress.IsZero() &&
		now.Sub(obs.Progress) > p {
		return fmt.Sprintf("no progress for %s (progressTimeout %ds)", now.Sub(obs.Progress).Round(time.Second),
			cfg.ProgressTimeout)
	}
	if limit := completionLimit(cfg.CompletionTimeoutPerGiB, obs.GuestBytes); limit > 0 &&
		st.StartTimestamp != nil && now.Sub(st.StartTimestamp.Time) > limit {
		return fmt.Sprintf("not completed within %s (completionTimeoutPerGiB %ds)", limit, cfg.CompletionTimeoutPerGiB)
	}
	return ""
}

// completionLimit scales perGiB seconds with the guest's size in GiB, rounded
// up: a small guest gets the whole per-GiB time.
func completionLimit(perGiB, guestBytes int64) time.Duration {
	if perGiB <= 0 {
		return 0
	}
	const gib = 1 << 30
	gibs := (guestBytes + gib - 1) / gib
	if gibs < 1 {
		gibs = 1
	}
	return time.Duration(perGiB*gibs) * time.Second
}

// Of is the launcher's report m as one on migration uid: a report of an
// earlier migration of the same launcher reads as none asked.
func Of(m *launcherv1.MigrationStatus, uid string) *launcherv1.MigrationStatus {
	if m == nil || m.None || m.MigrationUid == uid {
		return m
	}
	return &launcherv1.MigrationStatus{None: true}
}

// Track follows a running migration's progress: progress is the data still to
// send going down (or the first report). It returns the remaining bytes and
// time to keep for the next call.
func Track(prevRemaining uint64, prevAt time.Time, m *launcherv1.MigrationStatus, now time.Time) (uint64, time.Time) {
	if m == nil || !m.Running {
		return prevRemaining, prevAt
	}
	if prevAt.IsZero() || m.DataRemainingBytes < prevRemaining {
		return m.DataRemainingBytes, now
	}
	return prevRemaining, prevAt
}
