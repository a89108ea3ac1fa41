package vm

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// Condition reasons the VM controller sets.
const (
	ReasonVMINotExists      = "VMINotExists"
	ReasonVMIReady          = "VMIReady"
	ReasonVMINotReady       = "VMINotReady"
	ReasonFailedCreate      = "FailedCreate"
	ReasonFailedDelete      = "FailedDelete"
	ReasonInstancetype      = "FailedInstancetype"
	ReasonVMIOwnedElsewhere = "VMIExistsNotOwned"
)

// Failure is a problem the controller reports as the VM's Failure condition.
type Failure struct {
	Reason  string
	Message string
}

// TrackStartFailure updates the start-failure record from the VMI: a VMI that
// failed without ever running counts one more consecutive failure (once per VMI)
// and sets the retry time; a VMI that reached Running clears the record.
func TrackStartFailure(prev *virtv1.VirtualMachineStartFailure, vmi *virtv1.VirtualMachineInstance, now time.Time) *virtv1.VirtualMachineStartFailure {
	if vmi == nil {
		return prev
	}
	if reached(vmi, virtv1.Running) {
		return nil
	}
	if vmi.Status.Phase != virtv1.Failed {
		return prev
	}
	if prev != nil && prev.LastFailedVMIUID == string(vmi.UID) {
		return prev
	}
	n := int32(1)
	if prev != nil {
		n = prev.ConsecutiveFailCount + 1
	}
	retry := metav1.NewTime(now.Add(Backoff(n)))
	return &virtv1.VirtualMachineStartFailure{ConsecutiveFailCount: n, LastFailedVMIUID: string(vmi.UID), RetryAfterTimestamp: &retry}
}

func reached(vmi *virtv1.VirtualMachineInstance, p virtv1.VirtualMachineInstancePhase) bool {
	if vmi.Status.Phase == p {
		return true
	}
	for _, ts := range vmi.Status.PhaseTransitionTimestamps {
		if ts.Phase == p {
			return true
		}
	}
	return false
}

// PrintableStatus is the one-word state `kubectl get vm` shows.
func PrintableStatus(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, now time.Time) virtv1.VirtualMachinePrintableStatus {
	switch {
	case vm.DeletionTimestamp != nil:
		return virtv1.VirtualMachineStatusTerminating
	case vmi == nil || isFinal(vmi):
		if backingOff(vm, now) {
			return virtv1.VirtualMachineStatusCrashLoopBackOff
		}
		return virtv1.VirtualMachineStatusStopped
	case vmi.DeletionTimestamp != nil:
		return virtv1.VirtualMachineStatusStopping
	}
	switch vmi.Status.Phase {
	case virtv1.Running:
		if vmiCondition(vmi, virtv1.VirtualMachineInstancePaused) == corev1.ConditionTrue {
			return virtv1.VirtualMachineStatusPaused
		}
		if m := vmi.Status.MigrationState; m != nil && !m.Completed && !m.Failed {
			return virtv1.VirtualMachineStatusMigrating
		}
		return virtv1.VirtualMachineStatusRunning
	case virtv1.Unknown:
		return virtv1.VirtualMachineStatusUnknown
	}
	if unschedulable(vmi) {
		return virtv1.VirtualMachineStatusUnschedulable
	}
	if s, ok := imagePullStatus(vmi); ok {
		return s
	}
	return virtv1.VirtualMachineStatusStarting
}

// imagePullStatus is ErrImagePull or ImagePullBackOff (ErrorPvcNotFound or
// WaitingForVolumeBinding for a claim the launcher pod waits for) while the VMI controller
// reports (Synchronized=False, with the kubelet's reason) that an image of the
// launcher pod cannot be pulled, as upstream derives it.
func imagePullStatus(vmi *virtv1.VirtualMachineInstance) (virtv1.VirtualMachinePrintableStatus, bool) {
	for _, c := range vmi.Status.Conditions {
		if c.Type != virtv1.VirtualMachineInstanceSynchronized || c.Status != string(corev1.ConditionFalse) {
			continue
		}
		switch c.Reason {
		case string(virtv1.VirtualMachineStatusErrImagePull):
			return virtv1.VirtualMachineStatusErrImagePull, true
		case string(virtv1.VirtualMachineStatusImagePullBackOff):
			return virtv1.VirtualMachineStatusImagePullBackOff, true
		case launcherpod.ReasonPVCNotFound:
			return virtv1.VirtualMachineStatusPvcNotFound, true
		case launcherpod.ReasonPVCNotBound:
			return virtv1.VirtualMachineStatusWaitingForVolumeBinding, true
		}
	}
	return "", false
}

func unschedulable(vmi *virtv1.VirtualMachineInstance) bool {
	for _, c := range vmi.Status.Conditions {
		if c.Type == virtv1.VirtualMachineInstancePodScheduled && c.Status == string(corev1.ConditionFalse) &&
			c.Reason == string(corev1.PodReasonUnschedulable) {
			return true
		}
	}
	return false
}

func isFinal(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi.Status.Phase.IsFinal()
}

// backingOff says the VM wants to run but waits for its start-failure backoff.
func backingOff(vm *virtv1.VirtualMachine, now time.Time) bool {
	s := RunStrategy(vm)
	if s != virtv1.RunStrategyAlways && s != virtv1.RunStrategyRerunOnFailure {
		return false
	}
	f := vm.Status.StartFailure
	return f != nil && f.RetryAfterTimestamp != nil && now.Before(f.RetryAfterTimestamp.Time)
}

func vmiCondition(vmi *virtv1.VirtualMachineInstance, t virtv1.VirtualMachineInstanceConditionType) corev1.ConditionStatus {
	for _, c := range vmi.Status.Conditions {
		if c.Type == t {
			return corev1.ConditionStatus(c.Status)
		}
	}
	return corev1.ConditionUnknown
}

// Status computes the VM status from the VM, its VMI and the failure to report
// (nil for none). stateChangeRequests, instancetype refs and the start failure are
// carried over from vm.Status; the caller updates them.
func Status(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance, failure *Failure, now time.Time) virtv1.VirtualMachineStatus {
	st := *vm.Status.DeepCopy()
	st.Created = vmi != nil
	st.Ready = vmi != nil && vmi.DeletionTimestamp == nil && vmi.Status.Phase == virtv1.Running &&
		vmiCondition(vmi, virtv1.VirtualMachineInstanceReady) == corev1.ConditionTrue
	st.PrintableStatus = PrintableStatus(vm, vmi, now)
	st.RunStrategy = RunStrategy(vm)
	st.DesiredGeneration = vm.Generation
	if vmi != nil {
		if g, err := strconv.ParseInt(vmi.Annotations[GenerationAnnotation], 10, 64); err == nil {
			st.ObservedGeneration = g
		}
	}

	ready := virtv1.VirtualMachineCondition{Type: virtv1.VirtualMachineReady, Status: string(corev1.ConditionFalse), Reason: ReasonVMINotExists}
	if vmi != nil {
		ready.Reason, ready.Message = ReasonVMINotReady, "VMI is in phase "+string(vmi.Status.Phase)
		if st.Ready {
			ready.Status, ready.Reason, ready.Message = string(corev1.ConditionTrue), ReasonVMIReady, ""
		}
	}
	st.Conditions = setCondition(st.Conditions, ready, now)
	if failure != nil {
		st.Conditions = setCondition(st.Conditions, virtv1.VirtualMachineCondition{
			Type: virtv1.VirtualMachineFailure, Status: string(corev1.ConditionTrue), Reason: failure.Reason, Message: failure.Message,
		}, now)
	} else {
		st.Conditions = removeCondition(st.Conditions, virtv1.VirtualMachineFailure)
	}
	st.Conditions = mirrorConditions(st.Conditions, vmi)
	return st
}

// notMirrored are the VM conditions the VM controller computes itself; every
// other VMI condition (Paused, Synchronized, PodScheduled, LiveMigratable, ...)
// is copied onto the VM as upstream does.
var notMirrored = map[string]bool{
	string(virtv1.VirtualMachineReady):           true,
	string(virtv1.VirtualMachineFailure):         true,
	string(virtv1.VirtualMachineRestartRequired): true,
}

// mirrorConditions copies the VMI's conditions onto the VM (reason, message and
// times included) and drops mirrored ones the VMI no longer has; with no VMI
// none stays (upstream keeps the last ones, which then describe a VMI that is
// gone).
func mirrorConditions(conds []virtv1.VirtualMachineCondition, vmi *virtv1.VirtualMachineInstance) []virtv1.VirtualMachineCondition {
	var out []virtv1.VirtualMachineCondition
	for _, c := range conds {
		if notMirrored[string(c.Type)] {
			out = append(out, c)
		}
	}
	if vmi == nil {
		return out
	}
	for _, c := range vmi.Status.Conditions {
		if notMirrored[string(c.Type)] {
			continue
		}
		out = append(out, virtv1.VirtualMachineCondition{
			Type: virtv1.VirtualMachineConditionType(c.Type), Status: c.Status, Reason: c.Reason, Message: c.Message,
			LastProbeTime: c.LastProbeTime, LastTransitionTime: c.LastTransitionTime,
		})
	}
	return out
}

// setCondition replaces or adds c, keeping the old transition time when the
// status did not change.
func setCondition(conds []virtv1.VirtualMachineCondition, c virtv1.VirtualMachineCondition, now time.Time) []virtv1.VirtualMachineCondition {
	c.LastTransitionTime = metav1.NewTime(now.Truncate(time.Second))
	for i := range conds {
		if conds[i].Type != c.Type {
			continue
		}
		if conds[i].Status == c.Status {
			c.LastTransitionTime = conds[i].LastTransitionTime
			c.LastProbeTime = conds[i].LastProbeTime
		}
		conds[i] = c
		return conds
	}
	return append(conds, c)
}

func removeCondition(conds []virtv1.VirtualMachineCondition, t virtv1.VirtualMachineConditionType) []virtv1.VirtualMachineCondition {
	var kept []virtv1.VirtualMachineCondition
	for _, c := range conds {
		if c.Type != t {
			kept = append(kept, c)
		}
	}
	return kept
}
