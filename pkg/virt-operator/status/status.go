package status

import (
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Condition reasons.
const (
	ReasonAllComponentsReady   = "AllComponentsReady"
	ReasonDeploymentInProgress = "DeploymentInProgress"
	ReasonApplyFailed          = "ApplyFailed"
	ReasonNotReadyTooLong      = "NotReadyTooLong"
	ReasonAllResourcesCreated  = "AllResourcesCreated"
	ReasonExistingDeployment   = "ExistingDeployment"
	ReasonDeletionInProgress   = "DeletionInProgress"
	ReasonDeletionBlocked      = "DeletionBlockedByWorkloads"
	ReasonHealthy              = "Healthy"
)

// DefaultDegradedAfter is how long components may stay unready before Degraded.
const DefaultDegradedAfter = 10 * time.Minute

// Workload is the readiness of one Deployment or DaemonSet.
type Workload struct {
	Name string
	// Found is false when the object does not exist (yet).
	Found bool
	// Ready: the controller saw the current spec and every desired pod is updated and ready.
	Ready bool
}

// FromDeployment reads a Deployment's readiness; nil means missing.
func FromDeployment(name string, d *appsv1.Deployment) Workload {
	if d == nil {
		return Workload{Name: name}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	return Workload{Name: name, Found: true, Ready: s.ObservedGeneration >= d.Generation &&
		s.UpdatedReplicas == want && s.ReadyReplicas == want && s.Replicas == want}
}

// FromDaemonSet reads a DaemonSet's readiness; nil means missing.
func FromDaemonSet(name string, ds *appsv1.DaemonSet) Workload {
	if ds == nil {
		return Workload{Name: name}
	}
	s := ds.Status
	return Workload{Name: name, Found: true, Ready: s.ObservedGeneration >= ds.Generation &&
		s.UpdatedNumberScheduled == s.DesiredNumberScheduled && s.NumberReady == s.DesiredNumberScheduled}
}

// Input is everything the status of an installed KubeVirt depends on.
type Input struct {
	Previous     virtv1.KubeVirtStatus
	Generation   int64
	Workloads    []Workload
	ApplyError   string
	Version      string
	Registry     string
	DeploymentID string
	Now          time.Time
	// DegradedAfter: unready for longer than this is Degraded (default DefaultDegradedAfter).
	DegradedAfter time.Duration
}

// Installed is the status of the KubeVirt resource the operator installs from.
func Installed(in Input) virtv1.KubeVirtStatus {
	st := *in.Previous.DeepCopy()
	st.ObservedGeneration = in.Generation
	st.OperatorVersion, st.TargetKubeVirtVersion = in.Version, in.Version
	st.TargetKubeVirtRegistry, st.TargetDeploymentID = in.Registry, in.DeploymentID
	var unready []string
	for _, w := range in.Workloads {
		if !w.Found || !w.Ready {
			unready = append(unready, w.Name)
		}
	}
	ready := len(unready) == 0 && in.ApplyError == ""
	if ready {
		st.Phase = virtv1.KubeVirtPhaseDeployed
		st.ObservedKubeVirtVersion, st.ObservedKubeVirtRegistry, st.ObservedDeploymentID = in.Version, in.Registry, in.DeploymentID
		set(&st, in.Now, virtv1.KubeVirtConditionAvailable, corev1.ConditionTrue, ReasonAllComponentsReady, "all components are ready")
		set(&st, in.Now, virtv1.KubeVirtConditionProgressing, corev1.ConditionFalse, ReasonAllComponentsReady, "all components are ready")
	} else {
		if st.Phase != virtv1.KubeVirtPhaseDeployed {
			st.Phase = virtv1.KubeVirtPhaseDeploying
		}
		msg := "not ready: " + strings.Join(unready, ", ")
		set(&st, in.Now, virtv1.KubeVirtConditionAvailable, corev1.ConditionFalse, ReasonDeploymentInProgress, msg)
		set(&st, in.Now, virtv1.KubeVirtConditionProgressing, progressing(in.ApplyError), ReasonDeploymentInProgress, msg)
	}
	if in.ApplyError == "" {
		set(&st, in.Now, virtv1.KubeVirtConditionCreated, corev1.ConditionTrue, ReasonAllResourcesCreated, "all resources were created")
	}
	degraded(&st, in, unready)
	return st
}

func progressing(applyErr string) corev1.ConditionStatus {
	if applyErr != "" {
		return corev1.ConditionFalse
	}
	return corev1.ConditionTrue
}

func degraded(st *virtv1.KubeVirtStatus, in Input, unready []string) {
	after := in.DegradedAfter
	if after <= 0 {
		after = DefaultDegradedAfter
	}
	switch {
	case in.ApplyError != "":
		set(st, in.Now, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, ReasonApplyFailed, in.ApplyError)
	case len(unready) > 0 && in.Now.Sub(unavailableSince(*st, in.Now)) > after:
		set(st, in.Now, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, ReasonNotReadyTooLong,
			fmt.Sprintf("not ready for more than %s: %s", after, strings.Join(unready, ", ")))
	default:
		set(st, in.Now, virtv1.KubeVirtConditionDegraded, corev1.ConditionFalse, ReasonHealthy, "")
	}
}

// unavailableSince is when Available last became False (now if it is not False).
func unavailableSince(st virtv1.KubeVirtStatus, now time.Time) time.Time {
	c := Find(st, virtv1.KubeVirtConditionAvailable)
	if c == nil || c.Status != string(corev1.ConditionFalse) || c.LastTransitionTime.IsZero() {
		return now
	}
	return c.LastTransitionTime.Time
}

// Ignored is the status of a KubeVirt resource that is not honoured because
// another one already drives the install.
func Ignored(prev virtv1.KubeVirtStatus, generation int64, active string, now time.Time) virtv1.KubeVirtStatus {
	st := *prev.DeepCopy()
	st.ObservedGeneration = generation
	st.Phase = virtv1.KubeVirtPhaseUnset
	msg := "ignored: KubeVirt " + active + " already manages the install"
	set(&st, now, virtv1.KubeVirtConditionAvailable, corev1.ConditionFalse, ReasonExistingDeployment, msg)
	set(&st, now, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, ReasonExistingDeployment, msg)
	return st
}

// Deleting is the status while the install is removed; blockedBy names workloads
// that keep BlockUninstallIfWorkloadsExist from proceeding.
func Deleting(prev virtv1.KubeVirtStatus, blockedBy string, now time.Time) virtv1.KubeVirtStatus {
	st := *prev.DeepCopy()
	st.Phase = virtv1.KubeVirtPhaseDeleting
	set(&st, now, virtv1.KubeVirtConditionAvailable, corev1.ConditionFalse, ReasonDeletionInProgress, "the install is being removed")
	if blockedBy != "" {
		set(&st, now, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, ReasonDeletionBlocked,
			"uninstallStrategy BlockUninstallIfWorkloadsExist: "+blockedBy+" still exist")
	} else {
		set(&st, now, virtv1.KubeVirtConditionDegraded, corev1.ConditionFalse, ReasonDeletionInProgress, "")
	}
	return st
}

// Find returns the condition of type t, or nil.
func Find(st virtv1.KubeVirtStatus, t virtv1.KubeVirtConditionType) *virtv1.KubeVirtCondition {
	i := slices.IndexFunc(st.Conditions, func(c virtv1.KubeVirtCondition) bool { return c.Type == t })
	if i < 0 {
		return nil
	}
	return &st.Conditions[i]
}

// set updates or adds a condition; the transition (and probe) time moves only
// when the status changes, so an unchanged status causes no write.
func set(st *virtv1.KubeVirtStatus, now time.Time, t virtv1.KubeVirtConditionType, s corev1.ConditionStatus, reason, msg string) {
	ts := metav1.NewTime(now.Truncate(time.Second))
	if c := Find(*st, t); c != nil {
		if c.Status != string(s) {
			c.LastTransitionTime, c.LastProbeTime = ts, ts
		}
		c.Status, c.Reason, c.Message = string(s), reason, msg
		return
	}
	st.Conditions = append(st.Conditions, virtv1.KubeVirtCondition{
		Type: t, Status: string(s), Reason: reason, Message: msg, LastTransitionTime: ts, LastProbeTime: ts,
	})
}
