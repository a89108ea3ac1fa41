package instancetype

import (
	virtv1 "kvirt.io/api/core/v1"
)

// DefaultNetworkName names the pod network and interface added when a VMI has none.
const DefaultNetworkName = "default"

// AddMissingDevices gives every volume without a disk or filesystem a plain disk,
// gives every disk without a target a disk target, and adds a pod network with a
// bridge interface when the VMI declares no networking and does not opt out.
// Preferences apply afterwards, so they reach these devices too.
func AddMissingDevices(spec *virtv1.VirtualMachineInstanceSpec) {
	devices := &spec.Domain.Devices
	used := map[string]bool{}
	for _, d := range devices.Disks {
		used[d.Name] = true
	}
	for _, f := range devices.Filesystems {
		used[f.Name] = true
	}
	for _, v := range spec.Volumes {
		if !used[v.Name] && v.MemoryDump == nil {
			devices.Disks = append(devices.Disks, virtv1.Disk{Name: v.Name})
		}
	}
	for i := range devices.Disks {
		d := &devices.Disks[i]
		if d.Disk == nil && d.Cdrom == nil && d.LUN == nil {
			d.Disk = &virtv1.DiskTarget{}
		}
	}
	optOut := devices.AutoattachPodInterface != nil && !*devices.AutoattachPodInterface
	if len(spec.Networks) == 0 && len(devices.Interfaces) == 0 && !optOut {
		spec.Networks = []virtv1.Network{{Name: DefaultNetworkName, Pod: &virtv1.PodNetwork{}}}
		devices.Interfaces = []virtv1.Interface{{Name: DefaultNetworkName, Bridge: &virtv1.InterfaceBridge{}}}
	}
}
