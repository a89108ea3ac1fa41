package replicaset

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Decision is how to converge: create Create VMIs, delete the listed ones.
type Decision struct {
	Create int
	Delete []*virtv1.VirtualMachineInstance
}

// Decide compares the wanted replica count with the replica set's VMIs: finished
// VMIs are deleted (and replaced), missing replicas created, surplus removed
// starting with those furthest from ready and, among equals, the newest.
func Decide(rs *virtv1.VirtualMachineInstanceReplicaSet, vmis []*virtv1.VirtualMachineInstance) Decision {
	var d Decision
	if rs.Spec.Paused != nil && *rs.Spec.Paused {
		return d
	}
	want := int32(1)
	if rs.Spec.Replicas != nil {
		want = *rs.Spec.Replicas
	}
	var active []*virtv1.VirtualMachineInstance
	for _, vmi := range vmis {
		switch {
		case vmi.DeletionTimestamp != nil:
		case finished(vmi):
			d.Delete = append(d.Delete, vmi)
		default:
			active = append(active, vmi)
		}
	}
	diff := int(want) - len(active)
	if diff > 0 {
		d.Create = diff
		return d
	}
	sort.SliceStable(active, func(i, j int) bool {
		ri, rj := readiness(active[i]), readiness(active[j])
		if ri != rj {
			return ri < rj
		}
		return active[j].CreationTimestamp.Before(&active[i].CreationTimestamp)
	})
	d.Delete = append(d.Delete, active[:-diff]...)
	return d
}

func finished(vmi *virtv1.VirtualMachineInstance) bool {
	return vmi.Status.Phase == virtv1.Succeeded || vmi.Status.Phase == virtv1.Failed
}

// readiness orders VMIs: 0 not yet scheduled, 1 scheduled, 2 running, 3 ready.
func readiness(vmi *virtv1.VirtualMachineInstance) int {
	switch {
	case Ready(vmi):
		return 3
	case vmi.Status.Phase == virtv1.Running:
		return 2
	case vmi.Status.Phase == virtv1.Scheduled:
		return 1
	}
	return 0
}

// Ready is a running VMI whose Ready condition is true.
func Ready(vmi *virtv1.VirtualMachineInstance) bool {
	if vmi.Status.Phase != virtv1.Running || vmi.DeletionTimestamp != nil {
		return false
	}
	for _, c := range vmi.Status.Conditions {
		if c.Type == virtv1.VirtualMachineInstanceReady {
			return c.Status == string(corev1.ConditionTrue)
		}
	}
	return false
}

// Status counts the replica set's live and ready VMIs and sets its conditions
// (ReplicaPaused, ReplicaFailure from the last scaling attempt).
func Status(rs *virtv1.VirtualMachineInstanceReplicaSet, vmis []*virtv1.VirtualMachineInstance, selector string,
	scaled Scaled, now time.Time) virtv1.VirtualMachineInstanceReplicaSetStatus {
	st := *rs.Status.DeepCopy()
	st.Conditions = conditions(rs, scaled, now)
	st.Replicas, st.ReadyReplicas, st.LabelSelector = 0, 0, selector
	for _, vmi := range vmis {
		if vmi.DeletionTimestamp != nil || finished(vmi) {
			continue
		}
		st.Replicas++
		if Ready(vmi) {
			st.ReadyReplicas++
		}
	}
	return st
}
