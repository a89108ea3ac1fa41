package instancetype

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// applyPreference fills every field the preference has an opinion on and the VMI
// leaves unset; it never overrides what the VMI (or its instancetype) says.
func applyPreference(spec *virtv1.VirtualMachineInstanceSpec, pref *instancetypev1beta1.VirtualMachinePreferenceSpec) {
	if pref.Devices != nil {
		applyDiskPreferences(spec.Domain.Devices.Disks, pref.Devices)
		applyInterfacePreferences(spec.Domain.Devices.Interfaces, pref.Devices)
		applyDevicePreferences(&spec.Domain.Devices, pref.Devices)
	}
	applyDomainPreferences(spec, pref)
	fillString(&spec.Subdomain, pref.PreferredSubdomain)
	fillString(&spec.Architecture, pref.PreferredArchitecture)
	fillPtr(&spec.TerminationGracePeriodSeconds, pref.PreferredTerminationGracePeriodSeconds)
}

// applyDomainPreferences fills CPU features, features, firmware, machine type,
// clock and launch security.
func applyDomainPreferences(spec *virtv1.VirtualMachineInstanceSpec, pref *instancetypev1beta1.VirtualMachinePreferenceSpec) {
	if pref.CPU != nil && len(pref.CPU.PreferredCPUFeatures) > 0 {
		if spec.Domain.CPU == nil {
			spec.Domain.CPU = &virtv1.CPU{}
		}
		if len(spec.Domain.CPU.Features) == 0 {
			spec.Domain.CPU.Features = append([]virtv1.CPUFeature(nil), pref.CPU.PreferredCPUFeatures...)
		}
	}
	applyFeaturePreferences(&spec.Domain, pref.Features)
	applyFirmwarePreferences(&spec.Domain, pref.Firmware)
	if pref.Machine != nil && pref.Machine.PreferredMachineType != "" {
		if spec.Domain.Machine == nil {
			spec.Domain.Machine = &virtv1.Machine{}
		}
		fillString(&spec.Domain.Machine.Type, pref.Machine.PreferredMachineType)
	}
	applyClockPreferences(&spec.Domain, pref.Clock)
	if pref.PreferredLaunchSecurity != nil && spec.Domain.LaunchSecurity == nil {
		spec.Domain.LaunchSecurity = pref.PreferredLaunchSecurity.DeepCopy()
	}
}

func applyClockPreferences(dom *virtv1.DomainSpec, c *instancetypev1beta1.ClockPreferences) {
	if c != nil {
		if dom.Clock == nil {
			dom.Clock = &virtv1.Clock{}
		}
		if o := c.PreferredClockOffset; o != nil && dom.Clock.Utc == nil && dom.Clock.Timezone == "" {
			dom.Clock.Utc = o.Utc.DeepCopy()
			dom.Clock.Timezone = o.Timezone
		}
		if c.PreferredTimer != nil && dom.Clock.Timer == nil {
			dom.Clock.Timer = c.PreferredTimer.DeepCopy()
		}
	}
}

func applyDiskPreferences(disks []virtv1.Disk, p *instancetypev1beta1.DevicePreferences) {
	for i := range disks {
		d := &disks[i]
		switch {
		case d.Disk != nil && d.Disk.Bus == "":
			d.Disk.Bus = virtv1.DiskBus(p.PreferredDiskBus)
		case d.Cdrom != nil && d.Cdrom.Bus == "":
			d.Cdrom.Bus = virtv1.DiskBus(p.PreferredCdromBus)
		case d.LUN != nil && d.LUN.Bus == "":
			d.LUN.Bus = virtv1.DiskBus(p.PreferredLUNBus)
		}
		if d.Disk != nil {
			fillString(&d.Cache, p.PreferredDiskCache)
			fillString(&d.IO, p.PreferredDiskIO)
			fillPtr(&d.DedicatedIOThread, p.PreferredDiskDedicatedIOThread)
			if d.BlockSize == nil && p.PreferredDiskBlockSize != nil {
				d.BlockSize = p.PreferredDiskBlockSize.DeepCopy()
			}
		}
	}
}

func applyInterfacePreferences(ifaces []virtv1.Interface, p *instancetypev1beta1.DevicePreferences) {
	for i := range ifaces {
		iface := &ifaces[i]
		fillString(&iface.Model, p.PreferredInterfaceModel)
		if p.PreferredInterfaceMasquerade != nil && !hasBinding(iface) {
			iface.Masquerade = p.PreferredInterfaceMasquerade.DeepCopy()
		}
	}
}

func hasBinding(i *virtv1.Interface) bool {
	return i.Bridge != nil || i.Masquerade != nil || i.SRIOV != nil || i.PasstBinding != nil || i.Binding != nil ||
		i.Macvtap != nil || i.Passt != nil || i.Slirp != nil
}

func applyDevicePreferences(d *virtv1.Devices, p *instancetypev1beta1.DevicePreferences) {
	for i := range d.Inputs {
		fillString(&d.Inputs[i].Bus, p.PreferredInputBus)
		fillString(&d.Inputs[i].Type, p.PreferredInputType)
	}
	fillPtr(&d.AutoattachGraphicsDevice, p.PreferredAutoattachGraphicsDevice)
	fillPtr(&d.AutoattachInputDevice, p.PreferredAutoattachInputDevice)
	fillPtr(&d.AutoattachMemBalloon, p.PreferredAutoattachMemBalloon)
	fillPtr(&d.AutoattachPodInterface, p.PreferredAutoattachPodInterface)
	fillPtr(&d.AutoattachSerialConsole, p.PreferredAutoattachSerialConsole)
	fillPtr(&d.BlockMultiQueue, p.PreferredBlockMultiQueue)
	fillPtr(&d.DisableHotplug, p.PreferredDisableHotplug)
	fillPtr(&d.NetworkInterfaceMultiqueue, p.PreferredNetworkInterfaceMultiQueue)
	fillPtr(&d.UseVirtioTransitional, p.PreferredUseVirtioTransitional)
	if d.RNG == nil && p.PreferredRNG != nil {
		d.RNG = p.PreferredRNG.DeepCopy()
	}
	if d.TPM == nil && p.PreferredTPM != nil {
		d.TPM = p.PreferredTPM.DeepCopy()
	}
	if d.Sound != nil {
		fillString(&d.Sound.Model, p.PreferredSoundModel)
	}
	if d.Video != nil {
		fillString(&d.Video.Type, p.PreferredVideoType)
	}
}

func applyFeaturePreferences(dom *virtv1.DomainSpec, p *instancetypev1beta1.FeaturePreferences) {
	if p == nil {
		return
	}
	if dom.Features == nil {
		dom.Features = &virtv1.Features{}
	}
	f := dom.Features
	if p.PreferredACPI != nil && f.ACPI.Enabled == nil {
		f.ACPI = *p.PreferredACPI.DeepCopy()
	}
	if f.Apic == nil && p.PreferredApic != nil {
		f.Apic = p.PreferredApic.DeepCopy()
	}
	if f.Hyperv == nil && p.PreferredHyperv != nil {
		f.Hyperv = p.PreferredHyperv.DeepCopy()
	}
	if f.KVM == nil && p.PreferredKVM != nil {
		f.KVM = p.PreferredKVM.DeepCopy()
	}
	if f.Pvspinlock == nil && p.PreferredPvspinlock != nil {
		f.Pvspinlock = p.PreferredPvspinlock.DeepCopy()
	}
	if f.SMM == nil && p.PreferredSMM != nil {
		f.SMM = p.PreferredSMM.DeepCopy()
	}
}

func applyFirmwarePreferences(dom *virtv1.DomainSpec, p *instancetypev1beta1.FirmwarePreferences) {
	if p == nil {
		return
	}
	if dom.Firmware == nil {
		dom.Firmware = &virtv1.Firmware{}
	}
	fw := dom.Firmware
	if fw.Bootloader != nil || fw.KernelBoot != nil {
		return
	}
	switch {
	case p.PreferredEFI != nil:
		fw.Bootloader = &virtv1.Bootloader{EFI: p.PreferredEFI.DeepCopy()}
	case p.PreferredUseEFI != nil && *p.PreferredUseEFI:
		fw.Bootloader = &virtv1.Bootloader{EFI: &virtv1.EFI{SecureBoot: p.PreferredUseSecureBoot}}
	case p.PreferredUseBIOS != nil && *p.PreferredUseBIOS:
		fw.Bootloader = &virtv1.Bootloader{BIOS: &virtv1.BIOS{UseSerial: p.PreferredUseBIOSSerial}}
	}
}

// checkRequirements rejects a VMI smaller than the preference requires.
func checkRequirements(spec *virtv1.VirtualMachineInstanceSpec, pref *instancetypev1beta1.VirtualMachinePreferenceSpec) field.ErrorList {
	r := pref.Requirements
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if r.CPU != nil && vcpus(spec) < r.CPU.Guest {
		errs = append(errs, field.Invalid(specPath.Child("domain", "cpu"), vcpus(spec),
			fmt.Sprintf("the preference requires at least %d vCPUs", r.CPU.Guest)))
	}
	if r.Memory != nil && r.Memory.Guest != nil {
		if m := spec.Domain.Memory; m == nil || m.Guest == nil || m.Guest.Cmp(*r.Memory.Guest) < 0 {
			errs = append(errs, field.Invalid(specPath.Child("domain", "memory", "guest"), m,
				"the preference requires at least "+r.Memory.Guest.String()))
		}
	}
	return errs
}

func fillString(dst *string, val string) {
	if *dst == "" {
		*dst = val
	}
}

func fillPtr[T any](dst **T, val *T) {
	if *dst == nil && val != nil {
		v := *val
		*dst = &v
	}
}

// vcpus is the vCPU count of the VMI's topology (1 when it has none).
func vcpus(spec *virtv1.VirtualMachineInstanceSpec) int64 {
	c := spec.Domain.CPU
	if !hasTopology(c) {
		return 1
	}
	return max(c.Sockets, 1) * max(c.Cores, 1) * max(c.Threads, 1)
}
