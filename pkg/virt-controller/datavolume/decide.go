package datavolume

import (
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// Retry and polling intervals.
const (
	// DefaultRetryBackoff is the wait before replacing a transfer pod that
	// failed once; it doubles per failure up to MaxRetryBackoff.
	DefaultRetryBackoff = 10 * time.Second
	// MaxRetryBackoff caps the wait between two attempts.
	MaxRetryBackoff = 5 * time.Minute
	// DefaultProgressInterval is how often a running import's progress is read.
	DefaultProgressInterval = 5 * time.Second
	// waitRecheck is how soon a DataVolume waiting for its source looks again.
	waitRecheck = 10 * time.Second
)

// Observed is what the controller saw of one DataVolume and its objects.
type Observed struct {
	DV *cdiv1beta1.DataVolume
	// Source and SourceProblem are ResolveSource's answer.
	Source        Source
	SourceProblem *Problem
	// SourceClaim is a clone's source claim, nil when missing or not a clone.
	SourceClaim *corev1.PersistentVolumeClaim
	// Claim and Pod are the DataVolume's claim and transfer pod, nil when absent.
	Claim *corev1.PersistentVolumeClaim
	Pod   *corev1.Pod
	// WaitForFirstConsumer: honouring the claim's WaitForFirstConsumer binding,
	// nothing has been scheduled with the claim yet.
	WaitForFirstConsumer bool
	// Progress is the running importer's percentage ("45.20"), "" if unknown.
	Progress string
	Now      time.Time
}

// Policy is the configuration decisions depend on.
type Policy struct {
	Pod              PodConfig
	RetryBackoff     time.Duration
	ProgressInterval time.Duration
}

// Event is a Kubernetes Event to record on the DataVolume.
type Event struct {
	Type, Reason, Message string
}

// Decision is what the controller must write.
type Decision struct {
	// CreateClaim and CreatePod are objects to create, nil for none.
	CreateClaim *corev1.PersistentVolumeClaim
	CreatePod   *corev1.Pod
	// DeletePod deletes the observed transfer pod.
	DeletePod bool
	// Status is the DataVolume's new status (written when it differs).
	Status cdiv1beta1.DataVolumeStatus
	Events []Event
	// RequeueAfter asks to look again later (progress, backoff); 0 for never.
	RequeueAfter time.Duration
}

// step is the outcome of one decision path, before conditions are derived.
type step struct {
	phase   cdiv1beta1.DataVolumePhase
	running cond
	// bound replaces the condition derived from the claim.
	bound *cond
	// claim is the claim Bound is derived from (observed or being created).
	claim    *corev1.PersistentVolumeClaim
	progress cdiv1beta1.DataVolumeProgress
	// restarts is the restart count to store when above the stored one.
	restarts int32
	warning  *Event
}

// Decide computes the next writes for a DataVolume from what was observed.
func Decide(o Observed, p Policy) Decision {
	var d Decision
	old := o.DV.Status
	if o.DV.DeletionTimestamp != nil {
		d.Status = *old.DeepCopy()
		return d
	}
	s := decideStep(o, p, &d)
	st := old.DeepCopy()
	st.ClaimName = o.DV.Name
	st.Phase = s.phase
	st.RestartCount = max(st.RestartCount, s.restarts)
	switch {
	case s.progress != "":
		st.Progress = s.progress
	case st.Progress == "":
		st.Progress = cdiv1beta1.ProgressUnknown
	}
	bound := boundCondition(s.claim)
	if s.bound != nil {
		bound = *s.bound
	}
	st.Conditions = setCondition(st.Conditions, cdiv1beta1.DataVolumeBound, bound, o.Now)
	st.Conditions = setCondition(st.Conditions, cdiv1beta1.DataVolumeReady, readyCondition(s.phase, s.running), o.Now)
	st.Conditions = setCondition(st.Conditions, cdiv1beta1.DataVolumeRunning, s.running, o.Now)
	d.Status = *st
	d.Events = append(d.Events, transitionEvents(o, old, s)...)
	return d
}

// transitionEvents are the Events of a phase change, of the claim binding and
// of a new warning (not repeated while the Running condition stays the same).
func transitionEvents(o Observed, old cdiv1beta1.DataVolumeStatus, s step) []Event {
	var evs []Event
	if s.phase != old.Phase {
		if e := phaseEvent(o, s.phase); e != nil {
			evs = append(evs, *e)
		}
	}
	if s.claim != nil && s.claim.Status.Phase == corev1.ClaimBound {
		if c := findCondition(old.Conditions, cdiv1beta1.DataVolumeBound); c == nil || c.Status != corev1.ConditionTrue {
			evs = append(evs, Event{corev1.EventTypeNormal, ReasonBound, fmt.Sprintf("PVC %s Bound", s.claim.Name)})
		}
	}
	if s.warning != nil {
		c := findCondition(old.Conditions, cdiv1beta1.DataVolumeRunning)
		b := findCondition(old.Conditions, cdiv1beta1.DataVolumeBound)
		same := c != nil && c.Reason == s.running.reason && c.Message == s.running.message
		if s.bound != nil {
			same = b != nil && b.Reason == s.bound.reason && b.Message == s.bound.message
		}
		if !same || s.phase != old.Phase {
			evs = append(evs, *s.warning)
		}
	}
	return evs
}

func decideStep(o Observed, p Policy, d *Decision) step {
	if s, done := doneStep(o, d); done {
		return s
	}
	if o.SourceProblem != nil {
		return problemStep(o, o.SourceProblem, o.Claim)
	}
	claim := o.Claim
	if claim == nil {
		if o.Source.Kind == SourcePVC && o.SourceClaim == nil {
			d.RequeueAfter = waitRecheck
			return problemStep(o, missingSource(o.Source), nil)
		}
		c, prob := Claim(o.DV, o.Source, o.SourceClaim, p.Pod.FilesystemOverhead)
		if prob != nil {
			return problemStep(o, prob, nil)
		}
		d.CreateClaim, claim = c, c
	}
	if !ownedBy(claim.OwnerReferences, o.DV) {
		return foreignClaimStep(o, claim)
	}
	if claim.Status.Phase == corev1.ClaimLost {
		d.DeletePod = o.Pod != nil && ownedBy(o.Pod.OwnerReferences, o.DV) && o.Pod.DeletionTimestamp == nil
		return step{phase: cdiv1beta1.Failed, claim: claim, running: cond{status: corev1.ConditionFalse},
			warning: &Event{corev1.EventTypeWarning, "ErrClaimLost", fmt.Sprintf("PVC %s lost", claim.Name)}}
	}
	if o.Pod == nil && o.WaitForFirstConsumer {
		return step{phase: cdiv1beta1.WaitForFirstConsumer, claim: claim, running: cond{status: corev1.ConditionFalse}}
	}
	return podStep(o, p, claim, d)
}

// doneStep keeps a Succeeded DataVolume Succeeded whatever its source does
// now (it is never transferred again) and removes its pod once the phase is
// stored; a lost claim still fails it.
func doneStep(o Observed, d *Decision) (step, bool) {
	claim := o.Claim
	if o.DV.Status.Phase != cdiv1beta1.Succeeded || claim == nil || claim.Status.Phase == corev1.ClaimLost {
		return step{}, false
	}
	if !ownedBy(claim.OwnerReferences, o.DV) && claim.Annotations[AnnPopulatedFor] != o.DV.Name {
		return step{}, false
	}
	d.DeletePod = o.Pod != nil && ownedBy(o.Pod.OwnerReferences, o.DV) && o.Pod.DeletionTimestamp == nil
	return step{phase: cdiv1beta1.Succeeded, claim: claim, running: completed()}, true
}

func completed() cond {
	return cond{status: corev1.ConditionFalse, reason: ReasonCompleted}
}

func missingSource(src Source) *Problem {
	return &Problem{Reason: ReasonCloneWithoutSource, Message: fmt.Sprintf("source PVC %s/%s not found", src.ClaimNamespace, src.ClaimName)}
}

// problemStep reports a source or spec problem: Failed when terminal, else the
// DataVolume stays Pending.
func problemStep(o Observed, prob *Problem, claim *corev1.PersistentVolumeClaim) step {
	phase := cdiv1beta1.Pending
	if prob.Terminal {
		phase = cdiv1beta1.Failed
	}
	return step{phase: phase, claim: claim, running: cond{corev1.ConditionFalse, prob.Reason, prob.Message},
		warning: &Event{corev1.EventTypeWarning, prob.Reason, prob.Message}}
}

// foreignClaimStep handles a claim of the DataVolume's name that it does not
// own: adopted as already populated when it carries AnnPopulatedFor naming the
// DataVolume (it then stays when the DataVolume goes), refused otherwise.
func foreignClaimStep(o Observed, claim *corev1.PersistentVolumeClaim) step {
	if claim.Annotations[AnnPopulatedFor] == o.DV.Name {
		return step{phase: cdiv1beta1.Succeeded, claim: claim, running: completed(), progress: "100.0%"}
	}
	msg := fmt.Sprintf("Resource %q already exists and is not managed by DataVolume", claim.Name)
	return step{phase: cdiv1beta1.Pending, claim: claim, running: cond{status: corev1.ConditionFalse},
		bound:   &cond{corev1.ConditionFalse, ReasonResourceExists, msg},
		warning: &Event{corev1.EventTypeWarning, ReasonResourceExists, msg}}
}

// podStep follows the transfer pod: create it, report it scheduled, running,
// done, or failed and replaced after a backoff.
func podStep(o Observed, p Policy, claim *corev1.PersistentVolumeClaim, d *Decision) step {
	kind := o.Source.Kind
	pod := o.Pod
	current := currentPhase(o.DV.Status.Phase, kind)
	if pod == nil {
		d.CreatePod = Pod(o.DV, claim, o.Source, o.SourceClaim, o.DV.Status.RestartCount, p.Pod)
		return step{phase: current, claim: claim, running: lastFailure(o.DV)}
	}
	if !ownedBy(pod.OwnerReferences, o.DV) {
		msg := fmt.Sprintf("Resource %q already exists and is not managed by DataVolume", pod.Name)
		return step{phase: cdiv1beta1.Pending, claim: claim, running: cond{corev1.ConditionFalse, ReasonResourceExists, msg},
			warning: &Event{corev1.EventTypeWarning, ReasonResourceExists, msg}}
	}
	if pod.DeletionTimestamp != nil {
		return step{phase: current, claim: claim, running: runningOf(o.DV)}
	}
	switch pod.Status.Phase {
	case corev1.PodSucceeded:
		return step{phase: cdiv1beta1.Succeeded, claim: claim, running: completed(), progress: "100.0%"}
	case corev1.PodFailed:
		return failedStep(o, p, claim, current, d)
	}
	if containerRunning(pod) {
		if kind != SourceUpload {
			d.RequeueAfter = p.ProgressInterval
		}
		return step{phase: inProgressPhase(kind), claim: claim, running: runningCond(kind), progress: progress(o.Progress)}
	}
	running := waitingCond(pod)
	if running.reason == "" {
		running = lastFailure(o.DV)
	}
	return step{phase: current, claim: claim, running: running}
}

// lastFailure is the Running condition of a pod not reporting anything yet:
// after a failure the failed attempt's reason and message stay until the next
// attempt reports its own.
func lastFailure(dv *cdiv1beta1.DataVolume) cond {
	if r := runningOf(dv); dv.Status.RestartCount > 0 && r.status == corev1.ConditionFalse {
		return r
	}
	return cond{status: corev1.ConditionFalse}
}

// failedStep counts a failed pod once (its AnnAttempt + 1 is the restart
// count), reports its termination message, and deletes it once the count is
// stored and the backoff has passed, so the next sync creates the next attempt.
func failedStep(o Observed, p Policy, claim *corev1.PersistentVolumeClaim, phase cdiv1beta1.DataVolumePhase, d *Decision) step {
	pod := o.Pod
	attempt, _ := strconv.Atoi(pod.Annotations[AnnAttempt])
	count := max(o.DV.Status.RestartCount, int32(attempt)+1)
	reason, msg, finished := termination(pod)
	s := step{phase: phase, claim: claim, running: cond{corev1.ConditionFalse, reason, msg}, restarts: count}
	if count > o.DV.Status.RestartCount {
		s.warning = &Event{corev1.EventTypeWarning, failedReason(o.Source.Kind),
			fmt.Sprintf("%s failed (restart %d): %s", pod.Name, count, msg)}
	}
	wait := backoff(p.RetryBackoff, count) - o.Now.Sub(finished)
	switch {
	case count > o.DV.Status.RestartCount:
		// Stored first; the pod goes at a later sync that sees the count.
		d.RequeueAfter = max(wait, time.Second)
	case wait > 0:
		d.RequeueAfter = wait
	default:
		d.DeletePod = true
	}
	s.progress = cdiv1beta1.ProgressUnknown
	return s
}

// backoff is base doubled per failure after the first, capped at MaxRetryBackoff.
func backoff(base time.Duration, failures int32) time.Duration {
	if base <= 0 {
		base = DefaultRetryBackoff
	}
	d := base
	for i := int32(1); i < failures && d < MaxRetryBackoff; i++ {
		d *= 2
	}
	return min(d, MaxRetryBackoff)
}

func runningOf(dv *cdiv1beta1.DataVolume) cond {
	if c := findCondition(dv.Status.Conditions, cdiv1beta1.DataVolumeRunning); c != nil {
		return cond{c.Status, c.Reason, c.Message}
	}
	return cond{status: corev1.ConditionFalse}
}

// progress turns the importer's "45.2" into CDI's "45.20%"; anything else is N/A.
func progress(raw string) cdiv1beta1.DataVolumeProgress {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || v > 100 {
		return ""
	}
	return cdiv1beta1.DataVolumeProgress(fmt.Sprintf("%.2f%%", v))
}
