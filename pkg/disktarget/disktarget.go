package disktarget

import virtv1 "kvirt.io/api/core/v1"

// Bus is the bus a disk is attached to: the one it names, else upstream's
// default for its kind (virtio for a disk, sata for a cdrom, scsi for a lun).
func Bus(d *virtv1.Disk) virtv1.DiskBus {
	bus, def := virtv1.DiskBus(""), virtv1.DiskBusVirtio
	switch {
	case d.Cdrom != nil:
		bus, def = d.Cdrom.Bus, virtv1.DiskBusSATA
	case d.LUN != nil:
		bus, def = d.LUN.Bus, virtv1.DiskBusSCSI
	case d.Disk != nil:
		bus = d.Disk.Bus
	}
	if bus == "" {
		return def
	}
	return bus
}

// Names maps each disk's name to its device name: virtio disks are vda,
// vdb, ... and every other bus shares sda, sdb, ..., each in disk order
// (after vdz comes vdaa).
func Names(disks []virtv1.Disk) map[string]string {
	count := map[string]int{}
	out := make(map[string]string, len(disks))
	for i := range disks {
		prefix := "sd"
		if Bus(&disks[i]) == virtv1.DiskBusVirtio {
			prefix = "vd"
		}
		out[disks[i].Name] = prefix + letters(count[prefix])
		count[prefix]++
	}
	return out
}

// letters is the n-th (from 0) suffix a, b, ..., z, aa, ab, ...
func letters(n int) string {
	name := ""
	for n >= 0 {
		name = string(rune('a'+n%26)) + name
		n = n/26 - 1
	}
	return name
}
