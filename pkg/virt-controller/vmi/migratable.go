package vmi

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Reasons of a False LiveMigratable condition, upstream's.
const (
	ReasonDisksNotLiveMigratable     = "DisksNotLiveMigratable"
	ReasonInterfaceNotLiveMigratable = "InterfaceNotLiveMigratable"
)

// AllowPodBridgeMigrationAnnotation on a VMI says its guest copes with a new
// pod address after a migration, so bridge binding on the pod network does not
// make it non-migratable (upstream's annotation).
const AllowPodBridgeMigrationAnnotation = "kubevirt.io/allow-pod-bridge-network-live-migration"

// LiveMigratable is the VMI's LiveMigratable condition: False with the first
// reason found, else True. A claim-backed volume must be shared
// (ReadWriteMany) because both nodes use it during the hand-over; a
// non-shared hostDisk cannot be copied; bridge binding on the pod network
// would give the guest the source pod's address on the target. Local disks
// (containerDisk, emptyDisk, cloud-init, ...) are copied with the memory.
func LiveMigratable(vmi *virtv1.VirtualMachineInstance, s Storage) virtv1.VirtualMachineInstanceCondition {
	c := virtv1.VirtualMachineInstanceCondition{
		Type: virtv1.VirtualMachineInstanceIsMigratable, Status: string(corev1.ConditionTrue),
	}
	if msg := diskNotMigratable(vmi, s); msg != "" {
		c.Status, c.Reason, c.Message = string(corev1.ConditionFalse), ReasonDisksNotLiveMigratable, msg
		return c
	}
	if msg := interfaceNotMigratable(vmi); msg != "" {
		c.Status, c.Reason, c.Message = string(corev1.ConditionFalse), ReasonInterfaceNotLiveMigratable, msg
	}
	return c
}

// diskNotMigratable names the first volume that cannot follow the VMI, or "".
func diskNotMigratable(vmi *virtv1.VirtualMachineInstance, s Storage) string {
	for _, v := range vmi.Spec.Volumes {
		if v.HostDisk != nil && (v.HostDisk.Shared == nil || !*v.HostDisk.Shared) {
			return fmt.Sprintf("cannot migrate VMI: hostDisk volume %s is not shared", v.Name)
		}
		name := claimName(v)
		if name == "" {
			continue
		}
		claim := s.Claims[name]
		if claim == nil {
			return fmt.Sprintf("cannot migrate VMI: PVC %s is not found, so whether it is shared is unknown", name)
		}
		if !shared(claim) {
			return fmt.Sprintf("cannot migrate VMI: PVC %s is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)", name)
		}
	}
	return ""
}

func shared(claim *corev1.PersistentVolumeClaim) bool {
	for _, m := range claim.Spec.AccessModes {
		if m == corev1.ReadWriteMany {
			return true
		}
	}
	return false
}

// interfaceNotMigratable explains why an interface keeps the VMI in place, or "".
func interfaceNotMigratable(vmi *virtv1.VirtualMachineInstance) string {
	onPod := map[string]bool{}
	for _, n := range vmi.Spec.Networks {
		if n.Pod != nil {
			onPod[n.Name] = true
		}
	}
	if _, ok := vmi.Annotations[AllowPodBridgeMigrationAnnotation]; ok {
		return ""
	}
	for _, iface := range vmi.Spec.Domain.Devices.Interfaces {
		if iface.Bridge != nil && onPod[iface.Name] {
			return fmt.Sprintf("cannot migrate VMI which does not use masquerade, or bridge with the %s annotation, "+
				"to connect to the pod network (interface %s)", AllowPodBridgeMigrationAnnotation, iface.Name)
		}
	}
	return ""
}

// ObserveLiveMigratable writes the LiveMigratable condition into vmi, merged
// by type; the transition time is kept while the status and reason hold.
func ObserveLiveMigratable(vmi *virtv1.VirtualMachineInstance, s Storage, now metav1.Time) {
	c := LiveMigratable(vmi, s)
	c.LastTransitionTime = now
	if old := condition(vmi, c.Type); old != nil && old.Status == c.Status && old.Reason == c.Reason {
		c.LastTransitionTime, c.LastProbeTime = old.LastTransitionTime, old.LastProbeTime
	}
	setCondition(vmi, c)
}
