package migration

import (
	"encoding/xml"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// domainDisks is the part of a libvirt domain definition CopyDisks reads.
type domainDisks struct {
	Disks []struct {
		Target struct {
			Dev string `xml:"dev,attr"`
		} `xml:"target"`
		Alias struct {
			Name string `xml:"name,attr"`
		} `xml:"alias"`
	} `xml:"devices>disk"`
}

// CopyDisks are the target device names, in the target launcher's domain
// definition, of the VMI's disks whose contents travel with the migration:
// those the guest writes on storage local to the pod (a containerDisk's
// overlay, an emptyDisk). The others are shared (ReadWriteMany claims) or
// rebuilt on the target from the same source (cloud-init, configMap, secret,
// ...). The launcher names each disk's device alias "ua-<disk name>".
func CopyDisks(vmi *virtv1.VirtualMachineInstance, domainXML []byte) ([]string, error) {
	local := map[string]bool{}
	for _, v := range vmi.Spec.Volumes {
		if v.ContainerDisk != nil || v.EmptyDisk != nil {
			local[v.Name] = true
		}
	}
	if len(local) == 0 {
		return nil, nil
	}
	var d domainDisks
	if err := xml.Unmarshal(domainXML, &d); err != nil {
		return nil, fmt.Errorf("read the target's domain: %w", err)
	}
	var out []string
	for _, disk := range d.Disks {
		name, ok := strings.CutPrefix(disk.Alias.Name, "ua-")
		if ok && local[name] && disk.Target.Dev != "" {
			out = append(out, disk.Target.Dev)
			delete(local, name)
		}
	}
	for name := range local {
		return nil, fmt.Errorf("the target's domain has no disk for volume %q", name)
	}
	return out, nil
}

// GuestBytes is the guest's memory, what a completion timeout scales with.
func GuestBytes(vmi *virtv1.VirtualMachineInstance) int64 {
	if m := vmi.Spec.Domain.Memory; m != nil && m.Guest != nil {
		return m.Guest.Value()
	}
	if q, ok := vmi.Spec.Domain.Resources.Requests[corev1.ResourceMemory]; ok {
		return q.Value()
	}
	return 0
}
