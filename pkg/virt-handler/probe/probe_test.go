package probe

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestHandledAndTiming(t *testing.T) {
	if Handled(nil) || Handled(&virtv1.Probe{TCPSocket: &corev1.TCPSocketAction{}}) {
		t.Fatal("kubelet's probes handled by virt-handler")
	}
	if !Handled(&virtv1.Probe{GuestAgentPing: &virtv1.GuestAgentPing{}}) || !Handled(&virtv1.Probe{Exec: &corev1.ExecAction{}}) {
		t.Fatal("agent probes not handled")
	}
	got := TimingOf(&virtv1.Probe{})
	want := Timing{Period: 10 * time.Second, Timeout: time.Second, SuccessThreshold: 1, FailureThreshold: 3}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
}

func TestDue(t *testing.T) {
	start := time.Unix(1000, 0)
	tm := Timing{InitialDelay: 5 * time.Second, Period: 10 * time.Second}
	tests := []struct {
		name     string
		st       State
		now      time.Time
		due      bool
		waitWant time.Duration
	}{
		{"before the initial delay", State{}, start.Add(2 * time.Second), false, 3 * time.Second},
		{"first run after the delay", State{}, start.Add(5 * time.Second), true, 0},
		{"within the period", State{LastRun: start.Add(6 * time.Second)}, start.Add(10 * time.Second), false, 6 * time.Second},
		{"period passed", State{LastRun: start.Add(6 * time.Second)}, start.Add(16 * time.Second), true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			due, wait := Due(tc.st, tm, start, tc.now)
			if due != tc.due || wait != tc.waitWant {
				t.Fatalf("Due = %v %s, want %v %s", due, wait, tc.due, tc.waitWant)
			}
		})
	}
}

func TestRecordThresholds(t *testing.T) {
	tm := Timing{SuccessThreshold: 2, FailureThreshold: 2}
	now := time.Unix(0, 0)
	steps := []struct {
		ok               bool
		passing, decided bool
	}{
		{true, false, false}, // one success of two
		{true, true, true},   // passing
		{false, true, true},  // one failure of two: still passing
		{true, true, true},   // failures reset
		{false, true, true},
		{false, false, true}, // two failures in a row
	}
	st := State{}
	for i, s := range steps {
		st = Record(st, tm, s.ok, now)
		if st.Passing != s.passing || st.Decided != s.decided {
			t.Fatalf("step %d: %+v, want passing %v decided %v", i, st, s.passing, s.decided)
		}
	}
}
