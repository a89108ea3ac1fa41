package datavolume

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

var (
	now    = time.Unix(100000, 0)
	policy = Policy{Pod: PodConfig{Image: "kvirt.local/importer:t", ProgressPort: 8443, FilesystemOverhead: 0.055},
		RetryBackoff: 10 * time.Second, ProgressInterval: 5 * time.Second}
)

func httpDV() *cdiv1beta1.DataVolume {
	return &cdiv1beta1.DataVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: "ns", UID: types.UID("dv-uid")},
		Spec: cdiv1beta1.DataVolumeSpec{
			Source: &cdiv1beta1.DataVolumeSource{HTTP: &cdiv1beta1.DataVolumeSourceHTTP{URL: "http://srv/disk.qcow2"}},
			Storage: &cdiv1beta1.StorageSpec{Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		},
	}
}

func withStatus(dv *cdiv1beta1.DataVolume, phase cdiv1beta1.DataVolumePhase, restarts int32) *cdiv1beta1.DataVolume {
	dv.Status.Phase, dv.Status.RestartCount = phase, restarts
	return dv
}

// ownClaim is the claim Claim renders for dv, in the given claim phase.
func ownClaim(dv *cdiv1beta1.DataVolume, phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	src, _ := ResolveSource(dv, noDataSources)
	c, _ := Claim(dv, src, nil, 0.055)
	c.Status.Phase = phase
	return c
}

func noDataSources(string, string) *cdiv1beta1.DataSource { return nil }

func importerPod(dv *cdiv1beta1.DataVolume, attempt int32, mutate func(*corev1.Pod)) *corev1.Pod {
	src, _ := ResolveSource(dv, noDataSources)
	p := Pod(dv, ownClaim(dv, corev1.ClaimBound), src, nil, attempt, policy.Pod)
	p.UID = "pod-uid"
	if mutate != nil {
		mutate(p)
	}
	return p
}

func running(p *corev1.Pod) {
	p.Status.Phase = corev1.PodRunning
	p.Status.PodIP = "10.0.0.9"
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: ContainerName, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
}

func failedAt(at time.Time) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodFailed
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: ContainerName, State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error",
				Message: "unable to connect to http://srv: connection refused\nstack", FinishedAt: metav1.NewTime(at)}}}}
	}
}

func observe(dv *cdiv1beta1.DataVolume, claim *corev1.PersistentVolumeClaim, pod *corev1.Pod) Observed {
	o := Observed{DV: dv, Claim: claim, Pod: pod, Now: now}
	o.Source, o.SourceProblem = ResolveSource(dv, noDataSources)
	return o
}

type want struct {
	phase        cdiv1beta1.DataVolumePhase
	createClaim  bool
	createPod    bool
	deletePod    bool
	restarts     int32
	progress     cdiv1beta1.DataVolumeProgress
	running      cond
	ready        corev1.ConditionStatus
	bound        string // reason
	events       []string
	requeueAfter time.Duration
}

func TestDecideImport(t *testing.T) {
	dv := httpDV
	pending := corev1.ClaimPending
	bound := corev1.ClaimBound
	tests := []struct {
		name string
		o    Observed
		want want
	}{
		{"new: claim and importer pod", observe(dv(), nil, nil), want{phase: cdiv1beta1.ImportScheduled, createClaim: true, createPod: true,
			progress: "N/A", running: cond{status: "False"}, ready: "False", bound: ReasonPending, events: []string{"ImportScheduled"}}},
		{"pod waiting for its image", observe(withStatus(dv(), cdiv1beta1.ImportScheduled, 0), ownClaim(dv(), pending),
			importerPod(dv(), 0, func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: ContainerName, State: corev1.ContainerState{
					Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "back-off pulling"}}}}
			})), want{phase: cdiv1beta1.ImportScheduled, progress: "N/A", running: cond{"False", "ImagePullBackOff", "back-off pulling"}, ready: "False",
			bound: ReasonPending}},
		{"pod unschedulable", observe(withStatus(dv(), cdiv1beta1.ImportScheduled, 0), ownClaim(dv(), pending),
			importerPod(dv(), 0, func(p *corev1.Pod) {
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: "False", Reason: corev1.PodReasonUnschedulable}}
			})), want{phase: cdiv1beta1.ImportScheduled, progress: "N/A", running: cond{"False", ReasonUnschedulable, "Importer pod cannot be scheduled"},
			ready: "False", bound: ReasonPending}},
		{"running: progress polled", withProgress(observe(withStatus(dv(), cdiv1beta1.ImportScheduled, 0), ownClaim(dv(), bound),
			importerPod(dv(), 0, running)), "45.2"), want{phase: cdiv1beta1.ImportInProgress, progress: "45.20%",
			running: cond{"True", ReasonPodRunning, ""}, ready: "False", bound: ReasonBound, events: []string{"ImportInProgress", "Bound"},
			requeueAfter: 5 * time.Second}},
		{"first failure: counted, pod kept until the count is stored", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 0),
			ownClaim(dv(), bound), importerPod(dv(), 0, failedAt(now))), want{phase: cdiv1beta1.ImportInProgress, restarts: 1,
			progress: "N/A", running: cond{"False", "Error", "unable to connect to http://srv: connection refused"}, ready: "False",
			bound: ReasonBound, events: []string{"Bound", "ErrImportFailed"}, requeueAfter: 10 * time.Second}},
		{"counted failure within backoff: wait", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 1),
			ownClaim(dv(), bound), importerPod(dv(), 0, failedAt(now.Add(-4*time.Second)))), want{phase: cdiv1beta1.ImportInProgress,
			restarts: 1, progress: "N/A", running: cond{"False", "Error", "unable to connect to http://srv: connection refused"},
			ready: "False", bound: ReasonBound, events: []string{"Bound"}, requeueAfter: 6 * time.Second}},
		{"counted failure after backoff: pod replaced", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 1),
			ownClaim(dv(), bound), importerPod(dv(), 0, failedAt(now.Add(-11*time.Second)))), want{phase: cdiv1beta1.ImportInProgress,
			restarts: 1, deletePod: true, progress: "N/A", running: cond{"False", "Error", "unable to connect to http://srv: connection refused"},
			ready: "False", bound: ReasonBound, events: []string{"Bound"}}},
		{"third failure backs off 40s", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 3),
			ownClaim(dv(), bound), importerPod(dv(), 2, failedAt(now.Add(-30*time.Second)))), want{phase: cdiv1beta1.ImportInProgress,
			restarts: 3, progress: "N/A", running: cond{"False", "Error", "unable to connect to http://srv: connection refused"},
			ready: "False", bound: ReasonBound, events: []string{"Bound"}, requeueAfter: 10 * time.Second}},
		{"after a failure: next attempt", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 1), ownClaim(dv(), bound), nil),
			want{phase: cdiv1beta1.ImportInProgress, restarts: 1, createPod: true, progress: "N/A", running: cond{status: "False"},
				ready: "False", bound: ReasonBound, events: []string{"Bound"}}},
		{"pod succeeded", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 0), ownClaim(dv(), bound),
			importerPod(dv(), 0, func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded })), want{phase: cdiv1beta1.Succeeded,
			progress: "100.0%", running: cond{"False", ReasonCompleted, ""}, ready: "True", bound: ReasonBound,
			events: []string{"ImportSucceeded", "Bound"}}},
		{"succeeded stored: pod removed", observe(withStatus(dv(), cdiv1beta1.Succeeded, 0), ownClaim(dv(), bound),
			importerPod(dv(), 0, func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded })), want{phase: cdiv1beta1.Succeeded,
			deletePod: true, progress: "N/A", running: cond{"False", ReasonCompleted, ""}, ready: "True", bound: ReasonBound, events: []string{"Bound"}}},
		{"claim lost", observe(withStatus(dv(), cdiv1beta1.Succeeded, 0), ownClaim(dv(), corev1.ClaimLost), nil),
			want{phase: cdiv1beta1.Failed, progress: "N/A", running: cond{status: "False"}, ready: "False", bound: ReasonClaimLost,
				events: []string{"ErrClaimLost"}}},
		{"claim lost: our pod goes", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 0), ownClaim(dv(), corev1.ClaimLost),
			importerPod(dv(), 0, running)), want{phase: cdiv1beta1.Failed, deletePod: true, progress: "N/A", running: cond{status: "False"},
			ready: "False", bound: ReasonClaimLost, events: []string{"ErrClaimLost"}}},
		{"claim lost: a foreign pod of the name stays", observe(withStatus(dv(), cdiv1beta1.ImportInProgress, 0), ownClaim(dv(), corev1.ClaimLost),
			importerPod(dv(), 0, func(p *corev1.Pod) { p.OwnerReferences = nil })), want{phase: cdiv1beta1.Failed, progress: "N/A",
			running: cond{status: "False"}, ready: "False", bound: ReasonClaimLost, events: []string{"ErrClaimLost"}}},
		{"deleting: nothing", observe(deleting(dv()), nil, nil), want{}},
	}
	runDecide(t, tests)
}

func withProgress(o Observed, p string) Observed { o.Progress = p; return o }

func deleting(dv *cdiv1beta1.DataVolume) *cdiv1beta1.DataVolume {
	ts := metav1.NewTime(now)
	dv.DeletionTimestamp = &ts
	return dv
}

func runDecide(t *testing.T, tests []struct {
	name string
	o    Observed
	want want
}) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.o, policy)
			w := tc.want
			st := d.Status
			if st.Phase != w.phase || st.RestartCount != w.restarts || st.Progress != w.progress {
				t.Errorf("phase %q restarts %d progress %q, want %q %d %q", st.Phase, st.RestartCount, st.Progress, w.phase, w.restarts, w.progress)
			}
			if (d.CreateClaim != nil) != w.createClaim || (d.CreatePod != nil) != w.createPod || d.DeletePod != w.deletePod {
				t.Errorf("create claim %v pod %v delete pod %v, want %v %v %v", d.CreateClaim != nil, d.CreatePod != nil, d.DeletePod,
					w.createClaim, w.createPod, w.deletePod)
			}
			if d.RequeueAfter != w.requeueAfter {
				t.Errorf("requeue after %v, want %v", d.RequeueAfter, w.requeueAfter)
			}
			checkConditions(t, st, w)
			var reasons []string
			for _, e := range d.Events {
				reasons = append(reasons, e.Reason)
			}
			if strings.Join(reasons, ",") != strings.Join(w.events, ",") {
				t.Errorf("events %v, want %v", d.Events, w.events)
			}
		})
	}
}

func checkConditions(t *testing.T, st cdiv1beta1.DataVolumeStatus, w want) {
	t.Helper()
	if w.phase == "" {
		if len(st.Conditions) != 0 {
			t.Errorf("conditions %+v, want none", st.Conditions)
		}
		return
	}
	r := findCondition(st.Conditions, cdiv1beta1.DataVolumeRunning)
	if r == nil || r.Status != w.running.status || r.Reason != w.running.reason || r.Message != w.running.message {
		t.Errorf("Running %+v, want %+v", r, w.running)
	}
	if c := findCondition(st.Conditions, cdiv1beta1.DataVolumeReady); c == nil || c.Status != w.ready {
		t.Errorf("Ready %+v, want %s", c, w.ready)
	}
	if c := findCondition(st.Conditions, cdiv1beta1.DataVolumeBound); c == nil || c.Reason != w.bound {
		t.Errorf("Bound %+v, want reason %s", c, w.bound)
	}
}
