package launcherpod

import (
	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// NetworkProbe is the compute container's probe for a VMI probe that reaches
// the guest over the network (httpGet or tcpSocket), as upstream renders it:
// the kubelet probes the pod's IP, which the pod network forwards to the guest.
// A failing readiness probe keeps the pod, and so the VMI, not Ready; a failing
// liveness probe makes the kubelet stop the compute container, which ends the
// VMI. Other probes (exec, guestAgentPing) go through the guest agent and are
// virt-handler's: nil for them, as for no probe.
func NetworkProbe(p *virtv1.Probe) *corev1.Probe {
	if p == nil || (p.HTTPGet == nil && p.TCPSocket == nil) {
		return nil
	}
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{
			HTTPGet:   p.HTTPGet.DeepCopy(),
			TCPSocket: p.TCPSocket.DeepCopy(),
		},
		InitialDelaySeconds: p.InitialDelaySeconds,
		TimeoutSeconds:      p.TimeoutSeconds,
		PeriodSeconds:       p.PeriodSeconds,
		SuccessThreshold:    p.SuccessThreshold,
		FailureThreshold:    p.FailureThreshold,
	}
}

// Started says whether a launcher pod runs on a node with its containers up,
// ready to be handed to virt-handler. The compute container is only required
// to run, not to be ready: its readiness probe (the VMI's) passes only once
// the guest, which virt-handler starts after the hand-over, answers it; every
// other container must be ready, as upstream checks.
func Started(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodRunning || pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	if len(pod.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, cs := range pod.Status.InitContainerStatuses {
		// a running init container is a sidecar (the console log's)
		if cs.State.Running != nil && !cs.Ready {
			return false
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == ComputeContainer {
			if cs.State.Running == nil {
				return false
			}
		} else if !cs.Ready {
			return false
		}
	}
	return true
}
