package vmi

import (
	"encoding/json"
	"fmt"
	"reflect"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/mergepatch"
)

// ownedStatusFields are the VMI status fields this controller writes; everything
// else in the status belongs to virt-handler or virt-api and is never sent.
var ownedStatusFields = []string{
	"phase", "phaseTransitionTimestamps", "reason", "nodeName", "activePods", "qosClass", "conditions",
	"volumeStatus",
}

// mergePatch is a JSON merge patch turning old into new for the fields this
// controller owns. It carries old's resourceVersion, so the apiserver rejects it
// with a conflict if the VMI changed since it was read (the VMI has no status
// subresource, so this is how concurrent writers stay safe). It returns nil when
// nothing changes.
func mergePatch(old, new *virtv1.VirtualMachineInstance) ([]byte, error) {
	meta := map[string]interface{}{}
	if !reflect.DeepEqual(old.Finalizers, new.Finalizers) {
		meta["finalizers"] = nonNil(new.Finalizers)
	}
	if labels := mergepatch.MapDiff(old.Labels, new.Labels); len(labels) > 0 {
		meta["labels"] = labels
	}
	status, err := statusDiff(old.Status, new.Status)
	if err != nil {
		return nil, err
	}
	if len(meta) == 0 && len(status) == 0 {
		return nil, nil
	}
	meta["resourceVersion"] = old.ResourceVersion
	patch := map[string]interface{}{"metadata": meta}
	if len(status) > 0 {
		patch["status"] = status
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("marshal vmi patch: %w", err)
	}
	return raw, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func statusDiff(old, new virtv1.VirtualMachineInstanceStatus) (map[string]interface{}, error) {
	o, err := toMap(old)
	if err != nil {
		return nil, err
	}
	n, err := toMap(new)
	if err != nil {
		return nil, err
	}
	diff := map[string]interface{}{}
	for _, f := range ownedStatusFields {
		if !reflect.DeepEqual(o[f], n[f]) {
			diff[f] = n[f] // nil when removed: merge patch deletes it
		}
	}
	return diff, nil
}

func toMap(v interface{}) (map[string]interface{}, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal vmi status: %w", err)
	}
	m := map[string]interface{}{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("unmarshal vmi status: %w", err)
	}
	return m, nil
}
