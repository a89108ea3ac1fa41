package migration

import (
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Annotations on a migration that shorten or lengthen how long its target pod
// may stay Pending (seconds), upstream's; meant for tests.
const (
	UnschedulablePodTimeoutAnnotation = "kubevirt.io/migrationUnschedulablePodTimeoutSeconds"
	PendingPodTimeoutAnnotation       = "kubevirt.io/migrationPendingPodTimeoutSeconds"
)

// How long a target pod may stay Pending before its migration fails (and the
// pod and its parallel-limit slot are freed), upstream's defaults: unschedulable,
// and Pending for any reason.
const (
	DefaultUnschedulablePodTimeout = 5 * time.Minute
	DefaultPendingPodTimeout       = 15 * time.Minute
)

// pendingTooLong says whether the target pod has been Pending past its
// timeout, and why; when not yet, recheck is when the next timeout would pass
// (0 when none applies).
func pendingTooLong(m *virtv1.VirtualMachineInstanceMigration, target *corev1.Pod, now metav1.Time) (
	reason string, failed bool, recheck time.Duration) {
	if target == nil || target.Status.Phase != corev1.PodPending {
		return "", false, 0
	}
	for _, c := range target.Status.Conditions {
		if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
			continue
		}
		limit := timeout(m, UnschedulablePodTimeoutAnnotation, DefaultUnschedulablePodTimeout)
		left := limit - now.Sub(c.LastTransitionTime.Time)
		if left <= 0 {
			return fmt.Sprintf("the target pod was unschedulable for %s: %s", limit, c.Message), true, 0
		}
		recheck = left
	}
	limit := timeout(m, PendingPodTimeoutAnnotation, DefaultPendingPodTimeout)
	left := limit - now.Sub(target.CreationTimestamp.Time)
	if left <= 0 {
		return fmt.Sprintf("the target pod was Pending for %s", limit), true, 0
	}
	if recheck == 0 || left < recheck {
		recheck = left
	}
	return "", false, recheck
}

// timeout is the annotation's value in seconds when it is a positive integer,
// else def.
func timeout(m *virtv1.VirtualMachineInstanceMigration, annotation string, def time.Duration) time.Duration {
	if s, ok := m.Annotations[annotation]; ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return def
}
