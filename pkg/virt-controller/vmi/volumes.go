package vmi

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/disktarget"
)

// Reasons of the DataVolumesReady condition, upstream's.
const (
	ReasonAllDVsReady    = "AllDVsReady"
	ReasonNotAllDVsReady = "NotAllDVsReady"
)

// filesystemOverhead is the share of a Filesystem claim its filesystem keeps,
// CDI's default (the DataVolume controller's DefaultFilesystemOverhead), as
// persistentVolumeClaimInfo reports it.
const filesystemOverhead = "0.055"

// Volume phases of status.volumeStatus for claim-backed volumes.
const (
	VolumePending = "Pending"
	VolumeBound   = "Bound"
)

// Storage is what the VMI's claim-backed volumes look like now: the
// DataVolumes and claims of their names (keyed by name, absent ones missing).
// DataVolumesServed is false when the cluster serves no DataVolume API.
type Storage struct {
	DataVolumes       map[string]*cdiv1beta1.DataVolume
	Claims            map[string]*corev1.PersistentVolumeClaim
	DataVolumesServed bool
}

// claimName is the claim behind a volume ("" for volumes without one).
func claimName(v virtv1.Volume) string {
	switch {
	case v.PersistentVolumeClaim != nil:
		return v.PersistentVolumeClaim.ClaimName
	case v.DataVolume != nil:
		return v.DataVolume.Name
	}
	return ""
}

// DataVolumesReady is the VMI's DataVolumesReady condition, or nil when it has
// no dataVolume volume. True once every DataVolume is Succeeded,
// WaitForFirstConsumer or PendingPopulation, or is gone and left a claim of its
// name that no DataVolume owns (as upstream uses a claim whose DataVolume was
// garbage-collected).
func DataVolumesReady(vmi *virtv1.VirtualMachineInstance, s Storage, now metav1.Time) *virtv1.VirtualMachineInstanceCondition {
	var waiting []string
	uses := false
	for _, v := range vmi.Spec.Volumes {
		if v.DataVolume == nil {
			continue
		}
		uses = true
		dv := s.DataVolumes[v.DataVolume.Name]
		switch {
		case dv == nil && populatedClaim(s.Claims[v.DataVolume.Name]):
			// the DataVolume is gone (CDI garbage-collects finished ones) and left its claim
		case !s.DataVolumesServed:
			waiting = append(waiting, v.DataVolume.Name+" (no DataVolume API served)")
		case dv == nil:
			waiting = append(waiting, v.DataVolume.Name+" (not found)")
		case dv.Status.Phase != cdiv1beta1.Succeeded && dv.Status.Phase != cdiv1beta1.WaitForFirstConsumer &&
			dv.Status.Phase != cdiv1beta1.PendingPopulation:
			waiting = append(waiting, fmt.Sprintf("%s (%s)", v.DataVolume.Name, phaseOrUnset(dv.Status.Phase)))
		}
	}
	if !uses {
		return nil
	}
	c := &virtv1.VirtualMachineInstanceCondition{
		Type: virtv1.VirtualMachineInstanceDataVolumesReady, Status: string(corev1.ConditionTrue),
		Reason: ReasonAllDVsReady, Message: "All of the VMI's DVs are bound and ready", LastTransitionTime: now,
	}
	if len(waiting) > 0 {
		c.Status, c.Reason = string(corev1.ConditionFalse), ReasonNotAllDVsReady
		c.Message = "Not all of the VMI's DVs are ready: " + strings.Join(waiting, ", ")
	}
	return c
}

// populatedClaim reports whether a claim exists and is owned by no DataVolume:
// one a DataVolume still owns is not ready while its DataVolume is unknown
// (being deleted, or not in the cache yet).
func populatedClaim(claim *corev1.PersistentVolumeClaim) bool {
	if claim == nil {
		return false
	}
	for _, ref := range claim.OwnerReferences {
		if ref.Kind == cdiv1beta1.DataVolumeKind {
			return false
		}
	}
	return true
}

func phaseOrUnset(p cdiv1beta1.DataVolumePhase) string {
	if p == "" {
		return "no phase yet"
	}
	return string(p)
}

// ObserveStorage writes the DataVolumesReady condition (merged by type; the
// transition time kept while the status holds) and the volumeStatus entries of
// the claim-backed volumes into vmi: name, phase (Bound or Pending), reason and
// message, persistentVolumeClaimInfo and size (the claim's capacity in bytes).
// Every other field of an entry (target, which virt-handler owns, hotplug,
// container disk and memory dump details) and the entries of other volumes are
// kept as they are. It reports whether the VMI's DataVolumes are ready.
func ObserveStorage(vmi *virtv1.VirtualMachineInstance, s Storage, now metav1.Time) bool {
	ready := true
	if c := DataVolumesReady(vmi, s, now); c != nil {
		ready = c.Status == string(corev1.ConditionTrue)
		for _, old := range vmi.Status.Conditions {
			if old.Type == c.Type && old.Status == c.Status {
				c.LastTransitionTime, c.LastProbeTime = old.LastTransitionTime, old.LastProbeTime
			}
		}
		setCondition(vmi, *c)
	}
	vmi.Status.VolumeStatus = volumeStatus(vmi, s)
	return ready
}

func volumeStatus(vmi *virtv1.VirtualMachineInstance, s Storage) []virtv1.VolumeStatus {
	old := map[string]virtv1.VolumeStatus{}
	for _, st := range vmi.Status.VolumeStatus {
		old[st.Name] = st
	}
	var out []virtv1.VolumeStatus
	seen := map[string]bool{}
	targets := disktarget.Names(vmi.Spec.Domain.Devices.Disks)
	for _, v := range vmi.Spec.Volumes {
		st, had := old[v.Name]
		name := claimName(v)
		if name == "" {
			if had {
				out = append(out, st)
				seen[v.Name] = true
			}
			continue
		}
		st.Name = v.Name
		if dev, ok := targets[v.Name]; ok {
			st.Target = dev
		}
		claimStatus(&st, name, s.Claims[name])
		out = append(out, st)
		seen[v.Name] = true
	}
	var rest []string
	for n := range old {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	for _, n := range rest {
		out = append(out, old[n])
	}
	return out
}

// claimStatus fills the fields of st that describe its claim.
func claimStatus(st *virtv1.VolumeStatus, name string, claim *corev1.PersistentVolumeClaim) {
	st.Phase, st.Reason, st.Size, st.PersistentVolumeClaimInfo = VolumePending, "", 0, nil
	st.Message = fmt.Sprintf("PVC %s not found", name)
	if claim == nil {
		st.Reason = "PVCNotFound"
		return
	}
	st.Message = fmt.Sprintf("PVC %s %s", name, claimPhase(claim))
	if claim.Status.Phase == corev1.ClaimBound {
		st.Phase = VolumeBound
	}
	info := &virtv1.PersistentVolumeClaimInfo{
		ClaimName:  name,
		Capacity:   quantities(claim.Status.Capacity),
		Requests:   quantities(claim.Spec.Resources.Requests),
		VolumeMode: claim.Spec.VolumeMode,
	}
	for _, m := range claim.Spec.AccessModes {
		info.AccessModes = append(info.AccessModes, string(m))
	}
	if claim.Spec.VolumeMode == nil || *claim.Spec.VolumeMode == corev1.PersistentVolumeFilesystem {
		info.FilesystemOverhead = filesystemOverhead
	}
	st.PersistentVolumeClaimInfo = info
	if c, ok := claim.Status.Capacity[corev1.ResourceStorage]; ok {
		st.Size = c.Value()
	}
}

func claimPhase(claim *corev1.PersistentVolumeClaim) string {
	if claim.Status.Phase == "" {
		return string(corev1.ClaimPending)
	}
	return string(claim.Status.Phase)
}

func quantities(l corev1.ResourceList) map[string]resource.Quantity {
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]resource.Quantity, len(l))
	for k, v := range l {
		out[string(k)] = v.DeepCopy()
	}
	return out
}
