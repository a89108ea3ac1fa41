package vmi

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
)

// networkProbe says whether the kubelet runs p on the launcher pod (httpGet
// and tcpSocket probes, rendered onto the compute container by virt-controller).
func networkProbe(p *virtv1.Probe) bool {
	return p != nil && (p.HTTPGet != nil || p.TCPSocket != nil)
}

// observePodProbes adds what the kubelet's probes of the VMI's launcher pod
// say: with a network readiness probe the VMI is Ready only while the compute
// container is; with a network liveness probe, a domain the launcher shut down
// on its own (the kubelet stopped the container: the probe failed) while
// nobody deleted the VMI or its pod fails the VMI rather than succeed.
func (c *Controller) observePodProbes(vmi *virtv1.VirtualMachineInstance, rec *statestore.Record, obs *vmistatus.Observed) {
	ready, live := networkProbe(vmi.Spec.ReadinessProbe), networkProbe(vmi.Spec.LivenessProbe)
	if !ready && !live {
		return
	}
	pod := c.pods.launcherPod(vmi.Namespace, vmi.UID)
	if pod == nil {
		return
	}
	obs.NotReady = probeVerdict(ready, pod, obs.NotReady)
	if live && vmi.DeletionTimestamp == nil && pod.DeletionTimestamp == nil && !rec.ShutdownSent {
		obs.StopMeansFailure = true
	}
}

// probeVerdict is the NotReady reason once the pod's readiness is known.
func probeVerdict(readinessProbe bool, pod *corev1.Pod, cur string) string {
	if !readinessProbe || cur != "" {
		return cur
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == computeContainer && cs.Ready {
			return cur
		}
	}
	return vmistatus.ReasonReadinessProbe
}

// launcherPod is the VMI's own launcher pod on this node (not a migration
// target), whatever its phase; nil when there is none.
func (p launcherPods) launcherPod(namespace string, vmiUID types.UID) *corev1.Pod {
	pods, err := p.lister.Pods(namespace).List(labels.SelectorFromSet(labels.Set{virtv1.CreatedByLabel: string(vmiUID)}))
	if err != nil {
		return nil
	}
	for _, pod := range pods {
		if ref := metav1.GetControllerOf(pod); ref != nil && ref.UID == vmiUID && pod.Labels[virtv1.MigrationJobLabel] == "" {
			return pod
		}
	}
	return nil
}
