package validating

import (
	"fmt"
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

var (
	supportedDiskBuses = []string{string(virtv1.DiskBusVirtio), string(virtv1.DiskBusSATA), string(virtv1.DiskBusSCSI), string(virtv1.DiskBusUSB)}
	supportedCaches    = []string{"none", "writethrough", "writeback"}
	supportedIOModes   = []string{"native", "threads"}
	diskSerialPattern  = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)
)

const diskSerialMaxLen = 256

// validateDisks checks spec.domain.devices.disks: names, targets, buses and tuning,
// and that each names one of the volumes.
func validateDisks(fld *field.Path, disks []virtv1.Disk, volumes []virtv1.Volume) field.ErrorList {
	var errs field.ErrorList
	volumeNames := map[string]bool{}
	for _, v := range volumes {
		volumeNames[v.Name] = true
	}
	seen := map[string]bool{}
	for i := range disks {
		d := &disks[i]
		idx := fld.Index(i)
		errs = append(errs, validateDNSLabel(idx.Child("name"), d.Name)...)
		if d.Name != "" && seen[d.Name] {
			errs = append(errs, field.Duplicate(idx.Child("name"), d.Name))
		}
		seen[d.Name] = true
		if d.Name != "" && !volumeNames[d.Name] {
			errs = append(errs, field.NotFound(idx.Child("name"), d.Name))
		}
		errs = append(errs, validateDiskTarget(idx, d)...)
		errs = append(errs, validateDiskTuning(idx, d)...)
	}
	return errs
}

// diskBus returns the bus of whichever target the disk sets.
func diskBus(d *virtv1.Disk) (virtv1.DiskBus, string) {
	switch {
	case d.Disk != nil:
		return d.Disk.Bus, "disk"
	case d.Cdrom != nil:
		return d.Cdrom.Bus, "cdrom"
	case d.LUN != nil:
		return d.LUN.Bus, "lun"
	}
	return "", ""
}

func validateDiskTarget(idx *field.Path, d *virtv1.Disk) field.ErrorList {
	var errs field.ErrorList
	if n := countTrue(d.Disk != nil, d.Cdrom != nil, d.LUN != nil); n > 1 {
		errs = append(errs, field.Invalid(idx, d.Name, "a disk must have exactly one target: disk, cdrom or lun"))
	}
	bus, target := diskBus(d)
	busPath := idx.Child(target, "bus")
	switch {
	case bus == "":
	case bus == "ide":
		errs = append(errs, field.Invalid(busPath, bus, "IDE bus is not supported"))
	case !contains(supportedDiskBuses, string(bus)):
		errs = append(errs, field.NotSupported(busPath, bus, supportedDiskBuses))
	case target == "cdrom" && bus == virtv1.DiskBusVirtio:
		errs = append(errs, field.Invalid(busPath, bus, "a cdrom cannot use the virtio bus"))
	}
	return append(errs, validateBusFeatures(idx, d, bus)...)
}

// validateBusFeatures checks the settings that only some buses support.
func validateBusFeatures(idx *field.Path, d *virtv1.Disk, bus virtv1.DiskBus) field.ErrorList {
	var errs field.ErrorList
	if d.Disk != nil && d.Disk.Bus == virtv1.DiskBusSATA && d.Disk.Readonly != nil && *d.Disk.Readonly {
		errs = append(errs, field.Invalid(idx.Child("disk", "readonly"), true, "a sata disk cannot be read-only"))
	}
	if d.Disk != nil && d.Disk.PCIAddress != "" && d.Disk.Bus != virtv1.DiskBusVirtio {
		errs = append(errs, field.Invalid(idx.Child("disk", "pciAddress"), d.Disk.PCIAddress, "a PCI address needs the virtio bus"))
	}
	if d.DedicatedIOThread != nil && *d.DedicatedIOThread && bus != "" && bus != virtv1.DiskBusVirtio {
		errs = append(errs, field.Invalid(idx.Child("dedicatedIOThread"), true, "a dedicated IO thread needs the virtio bus"))
	}
	return errs
}

func validateDiskTuning(idx *field.Path, d *virtv1.Disk) field.ErrorList {
	var errs field.ErrorList
	if d.BootOrder != nil && *d.BootOrder < 1 {
		errs = append(errs, field.Invalid(idx.Child("bootOrder"), *d.BootOrder, "must be greater than 0"))
	}
	if d.Cache != "" && !contains(supportedCaches, d.Cache) {
		errs = append(errs, field.NotSupported(idx.Child("cache"), d.Cache, supportedCaches))
	}
	if d.IO != "" && !contains(supportedIOModes, d.IO) {
		errs = append(errs, field.NotSupported(idx.Child("io"), d.IO, supportedIOModes))
	}
	if d.Serial != "" && (len(d.Serial) > diskSerialMaxLen || !diskSerialPattern.MatchString(d.Serial)) {
		errs = append(errs, field.Invalid(idx.Child("serial"), d.Serial,
			fmt.Sprintf("must be at most %d characters of [A-Za-z0-9_.+-]", diskSerialMaxLen)))
	}
	if bs := d.BlockSize; bs != nil && bs.Custom != nil {
		errs = append(errs, validateBlockSize(idx.Child("blockSize", "custom", "logical"), bs.Custom.Logical)...)
		errs = append(errs, validateBlockSize(idx.Child("blockSize", "custom", "physical"), bs.Custom.Physical)...)
	}
	return errs
}

// validateBlockSize accepts powers of two from 512 bytes to 2 MiB.
func validateBlockSize(fld *field.Path, size int32) field.ErrorList {
	if size < 512 || size > 2*1024*1024 || size&(size-1) != 0 {
		return field.ErrorList{field.Invalid(fld, size, "must be a power of 2 between 512 and 2097152")}
	}
	return nil
}

// bootOrderOwner is a device that can carry a boot order.
type bootOrderOwner struct {
	path  *field.Path
	order *int32
}

// validateBootOrders rejects a boot order used by more than one disk or interface.
func validateBootOrders(devices *field.Path, d *virtv1.Devices) field.ErrorList {
	var owners []bootOrderOwner
	for i := range d.Disks {
		owners = append(owners, bootOrderOwner{devices.Child("disks").Index(i).Child("bootOrder"), d.Disks[i].BootOrder})
	}
	for i := range d.Interfaces {
		owners = append(owners, bootOrderOwner{devices.Child("interfaces").Index(i).Child("bootOrder"), d.Interfaces[i].BootOrder})
	}
	var errs field.ErrorList
	seen := map[int32]bool{}
	for _, o := range owners {
		if o.order == nil {
			continue
		}
		if seen[*o.order] {
			errs = append(errs, field.Duplicate(o.path, *o.order))
		}
		seen[*o.order] = true
	}
	return errs
}

// validateVolumesUsed requires every volume to be used by a disk or filesystem
// (after defaulting, which gives each volume a disk, this only catches misuse).
func validateVolumesUsed(fld *field.Path, spec *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	used := map[string]bool{}
	for _, d := range spec.Domain.Devices.Disks {
		used[d.Name] = true
	}
	fs := map[string]bool{}
	for _, f := range spec.Domain.Devices.Filesystems {
		used[f.Name], fs[f.Name] = true, true
	}
	var errs field.ErrorList
	for i, v := range spec.Volumes {
		switch {
		case !used[v.Name]:
			errs = append(errs, field.Invalid(fld.Index(i).Child("name"), v.Name, "volume is not used by any disk or filesystem"))
		case v.ContainerPath != nil && !fs[v.Name]:
			errs = append(errs, field.Invalid(fld.Index(i).Child("containerPath"), v.Name, "a containerPath volume can only back a filesystem"))
		}
	}
	return errs
}

func contains[T ~string](list []string, v T) bool {
	for _, s := range list {
		if s == string(v) {
			return true
		}
	}
	return false
}
