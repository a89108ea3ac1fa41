package migration

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// Limits are the parallel-migration limits (upstream defaults 5 and 2).
type Limits struct {
	PerCluster      int
	OutboundPerNode int
}

// Load is how many other migrations are active in the cluster and leave the
// VMI's node.
type Load struct {
	Cluster, OutboundFromSource int
}

// PodAction is what to do with the target pod.
type PodAction int

// Target pod actions.
const (
	PodNone PodAction = iota
	PodCreate
	PodDelete
)

// Decision is a migration and its VMI as they should be, and the pod action to
// take first. Either object is the input (unchanged copy) when nothing changes.
type Decision struct {
	Migration *virtv1.VirtualMachineInstanceMigration
	VMI       *virtv1.VirtualMachineInstance
	Pod       PodAction
	// Waiting is true when a limit holds the migration in Pending.
	Waiting bool
	// RetryAfter, when positive, asks to decide again then (a target pod's
	// Pending timeout).
	RetryAfter time.Duration
}

// Decide moves the migration one step given the VMI (nil when gone), the target
// pod (nil when none), the cluster load and limits.
func Decide(m *virtv1.VirtualMachineInstanceMigration, vmi *virtv1.VirtualMachineInstance, target *corev1.Pod,
	load Load, limits Limits, now metav1.Time) Decision {
	d := Decision{Migration: m.DeepCopy()}
	if vmi != nil {
		d.VMI = vmi.DeepCopy()
	}
	mig := d.Migration
	if m.DeletionTimestamp != nil || final(m.Status.Phase) {
		return finish(d, target, now)
	}
	if m.Status.Phase == virtv1.MigrationPhaseUnset {
		addFinalizer(mig)
		setPhase(mig, virtv1.MigrationPending, now)
	}
	if d.VMI == nil {
		fail(d, "the VMI does not exist", now)
		return d
	}
	if mig.Status.Phase == virtv1.MigrationPending {
		return pending(d, load, limits, now)
	}
	return progress(d, target, now)
}

// Abort outcomes (status.migrationState.abortStatus), upstream's.
const (
	AbortSucceeded = "Succeeded"
	AbortFailed    = "Failed"
	AbortAborting  = "Aborting"
)

// ReasonDeletedBeforeStart is the failure reason of a migration deleted before
// the source began to send the VMI.
const ReasonDeletedBeforeStart = "the migration was deleted before it started; the VMI stays on its node"

// finish cleans up after a finished or deleted migration: a target pod that did
// not take over goes, and the finalizer goes once nothing is left to clean. A
// deleted migration that the source has not started (no startTimestamp) is
// aborted here: nothing has moved, so the VMI's state ends failed with
// abortStatus Succeeded and the VM stops showing Migrating. One the source
// has started asks the handlers to abort (abortRequested, abortStatus
// Aborting); they report the outcome.
func finish(d Decision, target *corev1.Pod, now metav1.Time) Decision {
	m := d.Migration
	if target != nil && target.DeletionTimestamp == nil && m.Status.Phase != virtv1.MigrationSucceeded {
		d.Pod = PodDelete
	}
	if m.DeletionTimestamp != nil && !final(m.Status.Phase) && d.VMI != nil && ownsState(d.VMI, m) {
		st := d.VMI.Status.MigrationState
		st.AbortRequested = true
		switch {
		case st.Completed || st.Failed:
		case st.StartTimestamp == nil:
			st.AbortStatus = AbortSucceeded
			fail(d, ReasonDeletedBeforeStart, now)
		case st.AbortStatus == "":
			st.AbortStatus = AbortAborting
		}
	}
	if target == nil || target.DeletionTimestamp != nil || m.Status.Phase == virtv1.MigrationSucceeded {
		removeFinalizer(m)
	}
	return d
}

func pending(d Decision, load Load, limits Limits, now metav1.Time) Decision {
	mig, vmi := d.Migration, d.VMI
	if vmi.Status.Phase != virtv1.Running || vmi.Status.NodeName == "" {
		d.Waiting = true
		return d
	}
	if load.Cluster >= limits.PerCluster || load.OutboundFromSource >= limits.OutboundPerNode {
		d.Waiting = true
		return d
	}
	d.Pod = PodCreate
	setPhase(mig, virtv1.MigrationScheduling, now)
	vmi.Status.MigrationState = &virtv1.VirtualMachineInstanceMigrationState{
		MigrationUID: string(mig.UID),
		SourceNode:   vmi.Status.NodeName,
	}
	mirror(d)
	return d
}

// progress follows the target pod and the handlers' reports in the VMI.
func progress(d Decision, target *corev1.Pod, now metav1.Time) Decision {
	mig, vmi := d.Migration, d.VMI
	if !ownsState(vmi, mig) {
		fail(d, "the VMI's migration state belongs to another migration", now)
		return d
	}
	st := vmi.Status.MigrationState
	if st.Completed && !st.Failed {
		setPhase(mig, virtv1.MigrationSucceeded, now)
		mirror(d)
		return d
	}
	if reason, failed := failure(st, target); failed {
		fail(d, reason, now)
		return d
	}
	reason, failed, recheck := pendingTooLong(mig, target, now)
	if failed {
		fail(d, reason, now)
		return d
	}
	d.RetryAfter = recheck
	switch mig.Status.Phase {
	case virtv1.MigrationScheduling:
		st.TargetPod = target.Name
		if podReady(target) {
			setPhase(mig, virtv1.MigrationScheduled, now)
			handOff(vmi, target)
		}
	case virtv1.MigrationScheduled:
		if st.TargetNode != "" {
			setPhase(mig, virtv1.MigrationPreparingTarget, now)
		}
	case virtv1.MigrationPreparingTarget:
		if st.TargetNodeAddress != "" {
			setPhase(mig, virtv1.MigrationTargetReady, now)
		}
	case virtv1.MigrationTargetReady:
		if st.StartTimestamp != nil {
			setPhase(mig, virtv1.MigrationRunning, now)
		}
	}
	mirror(d)
	return d
}

// failure says whether the handlers reported a failure or the target pod is gone.
func failure(st *virtv1.VirtualMachineInstanceMigrationState, target *corev1.Pod) (string, bool) {
	switch {
	case st.Failed:
		return st.FailureReason, true
	case target == nil || target.DeletionTimestamp != nil:
		return "the target pod vanished", true
	case target.Status.Phase == corev1.PodFailed || target.Status.Phase == corev1.PodSucceeded:
		return "the target pod stopped", true
	}
	return "", false
}

// handOff tells the target node's virt-handler the VMI is coming.
func handOff(vmi *virtv1.VirtualMachineInstance, target *corev1.Pod) {
	vmi.Status.MigrationState.TargetNode = target.Spec.NodeName
	vmi.Status.MigrationState.TargetPod = target.Name
	if vmi.Labels == nil {
		vmi.Labels = map[string]string{}
	}
	vmi.Labels[virtv1.MigrationTargetNodeNameLabel] = target.Spec.NodeName
	if vmi.Status.ActivePods == nil {
		vmi.Status.ActivePods = map[string]string{}
	}
	vmi.Status.ActivePods[string(target.UID)] = target.Spec.NodeName
}

func fail(d Decision, reason string, now metav1.Time) {
	setPhase(d.Migration, virtv1.MigrationFailed, now)
	if d.VMI != nil && ownsState(d.VMI, d.Migration) {
		st := d.VMI.Status.MigrationState
		st.Failed = true
		if st.FailureReason == "" {
			st.FailureReason = reason
		}
		if st.EndTimestamp == nil {
			st.EndTimestamp = now.DeepCopy()
		}
		delete(d.VMI.Labels, virtv1.MigrationTargetNodeNameLabel)
		// the target pod never took over: it is not one of the VMI's pods
		if st.TargetNode != "" && st.TargetNode != d.VMI.Status.NodeName {
			for uid, node := range d.VMI.Status.ActivePods {
				if node == st.TargetNode {
					delete(d.VMI.Status.ActivePods, uid)
				}
			}
		}
	}
	mirror(d)
}

// mirror copies the VMI's migration state into the migration's status.
func mirror(d Decision) {
	if d.VMI != nil && ownsState(d.VMI, d.Migration) {
		d.Migration.Status.MigrationState = d.VMI.Status.MigrationState.DeepCopy()
	}
}

func ownsState(vmi *virtv1.VirtualMachineInstance, m *virtv1.VirtualMachineInstanceMigration) bool {
	return vmi.Status.MigrationState != nil && vmi.Status.MigrationState.MigrationUID == string(m.UID)
}

func podReady(pod *corev1.Pod) bool { return launcherpod.Started(pod) }

func final(p virtv1.VirtualMachineInstanceMigrationPhase) bool {
	return p == virtv1.MigrationSucceeded || p == virtv1.MigrationFailed
}

// Active says whether a migration counts against the parallel limits.
func Active(m *virtv1.VirtualMachineInstanceMigration) bool {
	switch m.Status.Phase {
	case virtv1.MigrationScheduling, virtv1.MigrationScheduled, virtv1.MigrationPreparingTarget,
		virtv1.MigrationTargetReady, virtv1.MigrationRunning:
		return m.DeletionTimestamp == nil
	}
	return false
}

func setPhase(m *virtv1.VirtualMachineInstanceMigration, p virtv1.VirtualMachineInstanceMigrationPhase, now metav1.Time) {
	m.Status.Phase = p
	for _, ts := range m.Status.PhaseTransitionTimestamps {
		if ts.Phase == p {
			return
		}
	}
	m.Status.PhaseTransitionTimestamps = append(m.Status.PhaseTransitionTimestamps,
		virtv1.VirtualMachineInstanceMigrationPhaseTransitionTimestamp{Phase: p, PhaseTransitionTimestamp: now.DeepCopy()})
}

func addFinalizer(m *virtv1.VirtualMachineInstanceMigration) {
	finalizer.Add(m, virtv1.VirtualMachineInstanceMigrationFinalizer)
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	m.Labels[virtv1.MigrationSelectorLabel] = m.Spec.VMIName
}

func removeFinalizer(m *virtv1.VirtualMachineInstanceMigration) {
	finalizer.Remove(m, virtv1.VirtualMachineInstanceMigrationFinalizer)
}
