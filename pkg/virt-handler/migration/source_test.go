package migration

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

type mstate = virtv1.VirtualMachineInstanceMigrationState

func TestSource(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	startNano := now.Add(-10 * time.Second).UnixNano()
	endNano := now.Add(-time.Second).UnixNano()
	addressed := func(s *mstate) { s.TargetNodeAddress = "10.244.1.1" }
	runningSince := func(s *mstate) {
		addressed(s)
		t := metav1.NewTime(time.Unix(0, startNano).UTC())
		s.StartTimestamp, s.Mode, s.SourcePod = &t, virtv1.MigrationPreCopy, "virt-launcher-x"
	}
	timeouts := func(progress, perGiB int64) func(s *mstate) {
		return func(s *mstate) {
			runningSince(s)
			s.MigrationConfiguration = &virtv1.VMIMConfigurationOptions{ProgressTimeout: progress, CompletionTimeoutPerGiB: perGiB}
		}
	}
	running := &launcherv1.MigrationStatus{Running: true, StartUnixNano: startNano, Mode: "PreCopy"}
	for _, tc := range []struct {
		name   string
		st     *mstate
		obs    SourceObserved
		want   SourceAction
		reason string // the abort reason or the failure reason
		check  func(t *testing.T, st *mstate)
	}{
		{name: "launcher silent", st: state(addressed), want: SourceWait},
		{name: "no target address yet", st: state(nil), obs: SourceObserved{Migration: &launcherv1.MigrationStatus{None: true}}, want: SourceWait},
		{name: "target published: start", st: state(addressed), obs: SourceObserved{Migration: &launcherv1.MigrationStatus{None: true}}, want: SourceStart},
		{name: "deleted before start: virt-controller ends it", st: state(func(s *mstate) { addressed(s); s.AbortRequested = true }),
			obs: SourceObserved{Migration: &launcherv1.MigrationStatus{None: true}}, want: SourceWait},
		{name: "running: record start, mode and pod", st: state(addressed),
			obs: SourceObserved{Migration: running, Pod: "virt-launcher-x"}, want: SourceReport,
			check: func(t *testing.T, st *mstate) {
				if st.StartTimestamp == nil || st.StartTimestamp.UnixNano() != startNano || st.Mode != virtv1.MigrationPreCopy || st.SourcePod != "virt-launcher-x" {
					t.Errorf("state = %+v", st)
				}
			}},
		{name: "running, recorded: nothing", st: state(runningSince),
			obs: SourceObserved{Migration: running, Pod: "virt-launcher-x"}, want: SourceWait},
		{name: "deleted while running: abort", st: state(func(s *mstate) { runningSince(s); s.AbortRequested = true }),
			obs: SourceObserved{Migration: running, Pod: "virt-launcher-x"}, want: SourceAbort, reason: "the migration was deleted"},
		{name: "abort already asked: wait for the launcher",
			st: state(func(s *mstate) { runningSince(s); s.AbortRequested = true }),
			obs: SourceObserved{Migration: &launcherv1.MigrationStatus{Running: true, AbortRequested: true, StartUnixNano: startNano, Mode: "PreCopy"},
				Pod: "virt-launcher-x"}, want: SourceWait},
		{name: "progress timeout", st: state(timeouts(1, 0)),
			obs:  SourceObserved{Migration: running, Pod: "virt-launcher-x", Progress: now.Add(-3 * time.Second)},
			want: SourceAbort, reason: "no progress for 3s (progressTimeout 1s)"},
		{name: "progress within the timeout", st: state(timeouts(150, 0)),
			obs: SourceObserved{Migration: running, Pod: "virt-launcher-x", Progress: now.Add(-3 * time.Second)}, want: SourceWait},
		{name: "completion timeout of a small guest: one GiB's worth", st: state(timeouts(0, 5)),
			obs:  SourceObserved{Migration: running, Pod: "virt-launcher-x", GuestBytes: 128 << 20},
			want: SourceAbort, reason: "not completed within 5s (completionTimeoutPerGiB 5s)"},
		{name: "completion timeout scales with the guest", st: state(timeouts(0, 5)),
			obs: SourceObserved{Migration: running, Pod: "virt-launcher-x", GuestBytes: 3 << 30}, want: SourceWait},
		{name: "completed", st: state(runningSince),
			obs:  SourceObserved{Migration: &launcherv1.MigrationStatus{Completed: true, StartUnixNano: startNano, EndUnixNano: endNano}},
			want: SourceReport,
			check: func(t *testing.T, st *mstate) {
				if !st.Completed || st.Failed || st.EndTimestamp.UnixNano() != endNano || st.AbortStatus != "" {
					t.Errorf("state = %+v", st)
				}
			}},
		{name: "completed although aborted: abort failed",
			st:   state(func(s *mstate) { runningSince(s); s.AbortRequested, s.AbortStatus = true, "Aborting" }),
			obs:  SourceObserved{Migration: &launcherv1.MigrationStatus{Completed: true, AbortRequested: true, EndUnixNano: endNano}},
			want: SourceReport,
			check: func(t *testing.T, st *mstate) {
				if !st.Completed || st.AbortStatus != AbortFailed {
					t.Errorf("state = %+v", st)
				}
			}},
		{name: "failed in libvirt", st: state(runningSince),
			obs:  SourceObserved{Migration: &launcherv1.MigrationStatus{Failed: true, FailureReason: "connection reset", EndUnixNano: endNano}},
			want: SourceReport, reason: "connection reset",
			check: func(t *testing.T, st *mstate) {
				if st.AbortStatus != "" {
					t.Errorf("abortStatus = %q", st.AbortStatus)
				}
			}},
		{name: "aborted on a timeout: the timeout is the reason",
			st: state(timeouts(1, 0)),
			obs: SourceObserved{Migration: &launcherv1.MigrationStatus{Failed: true, AbortRequested: true, FailureReason: "operation aborted"},
				AbortReason: "no progress for 3s (progressTimeout 1s)"},
			want: SourceReport, reason: "no progress for 3s (progressTimeout 1s)",
			check: func(t *testing.T, st *mstate) {
				if st.AbortStatus != AbortSucceeded || !st.EndTimestamp.Equal(&now) {
					t.Errorf("state = %+v", st)
				}
			}},
		{name: "launcher gone after its domain migrated: completed", st: state(runningSince),
			obs: SourceObserved{DomainMigrated: true}, want: SourceReport,
			check: func(t *testing.T, st *mstate) {
				if !st.Completed || !st.EndTimestamp.Equal(&now) {
					t.Errorf("state = %+v", st)
				}
			}},
		{name: "started but the launcher knows nothing", st: state(runningSince),
			obs: SourceObserved{Migration: &launcherv1.MigrationStatus{None: true}}, want: SourceReport, reason: ReasonNoRecord},
		{name: "already completed: nothing", st: state(func(s *mstate) { runningSince(s); s.Completed = true }),
			obs: SourceObserved{Migration: &launcherv1.MigrationStatus{Completed: true}}, want: SourceWait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vmi := vmiWith("a", tc.st)
			before := tc.st.DeepCopy()
			step := Source(vmi, tc.obs, now)
			if step.Action != tc.want {
				t.Fatalf("action = %v, want %v (abort reason %q)", step.Action, tc.want, step.AbortReason)
			}
			switch {
			case tc.want == SourceAbort && step.AbortReason != tc.reason:
				t.Errorf("abort reason = %q, want %q", step.AbortReason, tc.reason)
			case tc.want == SourceReport && tc.reason != "" && (!step.State.Failed || !strings.Contains(step.State.FailureReason, tc.reason)):
				t.Errorf("failed %v with %q, want %q", step.State.Failed, step.State.FailureReason, tc.reason)
			}
			if tc.check != nil {
				tc.check(t, step.State)
			}
			if vmi.Status.MigrationState.Completed != before.Completed || vmi.Status.MigrationState.Failed != before.Failed {
				t.Error("the input state was modified")
			}
		})
	}
}

func TestTrack(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	run := func(rem uint64) *launcherv1.MigrationStatus {
		return &launcherv1.MigrationStatus{Running: true, DataRemainingBytes: rem}
	}
	rem, at := Track(0, time.Time{}, run(100), t0)
	if rem != 100 || !at.Equal(t0) {
		t.Fatalf("first report: %d at %v", rem, at)
	}
	if rem, at = Track(rem, at, run(100), t0.Add(time.Second)); rem != 100 || !at.Equal(t0) {
		t.Errorf("no progress moved the mark: %d at %v", rem, at)
	}
	if rem, at = Track(rem, at, run(120), t0.Add(2*time.Second)); rem != 100 || !at.Equal(t0) {
		t.Errorf("more dirty memory counted as progress: %d at %v", rem, at)
	}
	if rem, at = Track(rem, at, run(40), t0.Add(3*time.Second)); rem != 40 || !at.Equal(t0.Add(3*time.Second)) {
		t.Errorf("progress not recorded: %d at %v", rem, at)
	}
	if rem2, at2 := Track(rem, at, &launcherv1.MigrationStatus{Completed: true}, t0.Add(9*time.Second)); rem2 != rem || !at2.Equal(at) {
		t.Errorf("a finished migration moved the mark")
	}
}

func TestOfIgnoresAnEarlierMigration(t *testing.T) {
	earlier := &launcherv1.MigrationStatus{Failed: true, FailureReason: "aborted", MigrationUid: "m0"}
	if got := Of(earlier, "m1"); !got.None || got.Failed {
		t.Errorf("an earlier migration's report = %v, want none", got)
	}
	this := &launcherv1.MigrationStatus{Running: true, MigrationUid: "m1"}
	if got := Of(this, "m1"); got != this {
		t.Errorf("this migration's report = %v", got)
	}
	if Of(nil, "m1") != nil {
		t.Error("no report became one")
	}
}
