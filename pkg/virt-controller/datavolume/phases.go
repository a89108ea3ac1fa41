package datavolume

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// UploadPendingMessage is the Running condition's message of an UploadReady
// DataVolume: where the image goes.
const UploadPendingMessage = "upload server ready; send the image with virtctl image-upload (subresource datavolumes/upload of subresources.kubevirt.io)"

func scheduledPhase(kind SourceKind) cdiv1beta1.DataVolumePhase {
	switch kind {
	case SourcePVC:
		return cdiv1beta1.CloneScheduled
	case SourceUpload:
		return cdiv1beta1.UploadScheduled
	}
	return cdiv1beta1.ImportScheduled
}

func inProgressPhase(kind SourceKind) cdiv1beta1.DataVolumePhase {
	switch kind {
	case SourcePVC:
		return cdiv1beta1.CloneInProgress
	case SourceUpload:
		return cdiv1beta1.UploadReady
	}
	return cdiv1beta1.ImportInProgress
}

// currentPhase keeps a scheduled or in-progress phase of kind across pod
// restarts, and starts from the scheduled one otherwise.
func currentPhase(phase cdiv1beta1.DataVolumePhase, kind SourceKind) cdiv1beta1.DataVolumePhase {
	if phase == inProgressPhase(kind) {
		return phase
	}
	return scheduledPhase(kind)
}

func failedReason(kind SourceKind) string {
	switch kind {
	case SourcePVC:
		return "ErrCloneFailed"
	case SourceUpload:
		return "ErrUploadFailed"
	}
	return "ErrImportFailed"
}

func runningCond(kind SourceKind) cond {
	c := cond{status: corev1.ConditionTrue, reason: ReasonPodRunning}
	if kind == SourceUpload {
		c.message = UploadPendingMessage
	}
	return c
}

func containerRunning(pod *corev1.Pod) bool {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == ContainerName && cs.State.Running != nil {
			return true
		}
	}
	return false
}

// waitingCond is Running for a pod that does not run yet: Unschedulable as
// CDI says it, or the container's waiting reason (ContainerCreating,
// ImagePullBackOff, ...).
func waitingCond(pod *corev1.Pod) cond {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return cond{corev1.ConditionFalse, ReasonUnschedulable, "Importer pod cannot be scheduled"}
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == ContainerName && cs.State.Waiting != nil {
			return cond{corev1.ConditionFalse, cs.State.Waiting.Reason, firstLine(cs.State.Waiting.Message)}
		}
	}
	return cond{status: corev1.ConditionFalse}
}

// termination is the failed container's reason, one-line message and end
// (the pod's start or creation when the kubelet reported none).
func termination(pod *corev1.Pod) (reason, message string, finished time.Time) {
	finished = pod.CreationTimestamp.Time
	if pod.Status.StartTime != nil {
		finished = pod.Status.StartTime.Time
	}
	reason, message = "Error", firstLine(pod.Status.Message)
	if pod.Status.Reason != "" {
		reason = pod.Status.Reason
	}
	for _, cs := range pod.Status.ContainerStatuses {
		t := cs.State.Terminated
		if cs.Name != ContainerName || t == nil {
			continue
		}
		if t.Reason != "" {
			reason = t.Reason
		}
		if m := firstLine(t.Message); m != "" {
			message = m
		}
		if !t.FinishedAt.IsZero() {
			finished = t.FinishedAt.Time
		}
	}
	if message == "" {
		message = fmt.Sprintf("%s failed without a message", pod.Name)
	}
	return reason, message, finished
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// phaseEvent is the Normal Event CDI records when a DataVolume enters phase.
func phaseEvent(o Observed, phase cdiv1beta1.DataVolumePhase) *Event {
	dv, src := o.DV, o.Source
	from := src.ClaimNamespace + "/" + src.ClaimName
	into := dv.Namespace + "/" + dv.Name
	msgs := map[cdiv1beta1.DataVolumePhase]string{
		cdiv1beta1.Pending:              fmt.Sprintf("PVC %s Pending", dv.Name),
		cdiv1beta1.WaitForFirstConsumer: fmt.Sprintf("PVC %s waits for its first consumer", dv.Name),
		cdiv1beta1.ImportScheduled:      fmt.Sprintf("Import into %s scheduled", dv.Name),
		cdiv1beta1.ImportInProgress:     fmt.Sprintf("Import into %s in progress", dv.Name),
		cdiv1beta1.CloneScheduled:       fmt.Sprintf("Cloning from %s into %s scheduled", from, into),
		cdiv1beta1.CloneInProgress:      fmt.Sprintf("Cloning from %s into %s in progress", from, into),
		cdiv1beta1.UploadScheduled:      fmt.Sprintf("Upload into %s scheduled", dv.Name),
		cdiv1beta1.UploadReady:          fmt.Sprintf("Upload into %s ready", dv.Name),
	}
	if m, ok := msgs[phase]; ok {
		return &Event{corev1.EventTypeNormal, string(phase), m}
	}
	if phase != cdiv1beta1.Succeeded {
		return nil
	}
	switch src.Kind {
	case SourcePVC:
		return &Event{corev1.EventTypeNormal, "CloneSucceeded", fmt.Sprintf("Successfully cloned from %s into %s", from, into)}
	case SourceUpload:
		return &Event{corev1.EventTypeNormal, "UploadSucceeded", fmt.Sprintf("Successfully uploaded into %s", dv.Name)}
	}
	return &Event{corev1.EventTypeNormal, "ImportSucceeded", fmt.Sprintf("Successfully imported into PVC %s", dv.Name)}
}
