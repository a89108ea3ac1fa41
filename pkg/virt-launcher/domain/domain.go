package domain

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"libvirt.org/go/libvirtxml"

	virtv1 "kvirt.io/api/core/v1"
)

// Accelerator is how QEMU runs guest code.
type Accelerator string

const (
	// AcceleratorKVM runs the guest with hardware virtualisation.
	AcceleratorKVM Accelerator = "kvm"
	// AcceleratorTCG emulates the guest CPU in software.
	AcceleratorTCG Accelerator = "tcg"
)

// DefaultMachine is the machine type used when the VMI names none.
const DefaultMachine = "q35"

// defaultMemory is the guest memory when the VMI sets neither memory.guest nor a
// memory request.
var defaultMemory = resource.MustParse("128Mi")

// Config is what the launcher resolved on the host for one VMI.
type Config struct {
	// Accelerator selects the libvirt domain type (kvm or qemu).
	Accelerator Accelerator
	// Emulator is the QEMU binary; empty lets libvirt pick.
	Emulator string
	// ConsoleSocket is the unix socket QEMU listens on for the serial console.
	ConsoleSocket string
	// VNCSocket is the unix socket QEMU serves the VNC display on.
	VNCSocket string
	// GuestAgentSocket, if set, is the host end of the guest agent's channel;
	// otherwise libvirt picks one in its own directory.
	GuestAgentSocket string
	// Volumes maps each VMI volume name to the file or device backing it.
	Volumes map[string]VolumeSource
	// KernelPath, InitrdPath are the resolved kernelBoot artefacts.
	KernelPath string
	InitrdPath string
	// Taps maps pod network interface names to the taps virt-handler built.
	Taps map[string]string
}

// VolumeSource is the host side of a VMI volume.
type VolumeSource struct {
	// Path is a file (or a block device when Block is set).
	Path string
	// Format is raw or qcow2.
	Format string
	Block  bool
	// ReadOnly volumes are never written (cloud-init seeds, shared images).
	ReadOnly bool
	// Transient discards the guest's writes when the domain stops (container
	// disks and ephemeral volumes): libvirt keeps them in an overlay.
	Transient bool
}

// Name is the libvirt domain name of a VMI: <namespace>_<name>.
func Name(vmi *virtv1.VirtualMachineInstance) string {
	return vmi.Namespace + "_" + vmi.Name
}

// Render returns the libvirt domain for the VMI. Errors name the field that
// cannot be rendered.
func Render(vmi *virtv1.VirtualMachineInstance, cfg Config) (*libvirtxml.Domain, error) {
	spec := &vmi.Spec.Domain
	memKiB, err := memoryKiB(vmi)
	if err != nil {
		return nil, err
	}
	cpu, vcpus := renderCPU(spec.CPU, cfg.Accelerator)
	osSpec, err := renderOS(vmi, cfg)
	if err != nil {
		return nil, err
	}
	devices, err := renderDevices(vmi, cfg)
	if err != nil {
		return nil, err
	}
	dom := &libvirtxml.Domain{
		Type:       domainType(cfg.Accelerator),
		Name:       Name(vmi),
		UUID:       domainUUID(vmi),
		Memory:     &libvirtxml.DomainMemory{Value: memKiB, Unit: "KiB"},
		VCPU:       &libvirtxml.DomainVCPU{Placement: "static", Value: vcpus},
		CPU:        cpu,
		OS:         osSpec,
		Features:   renderFeatures(spec.Features),
		OnPoweroff: "destroy",
		OnReboot:   "restart",
		OnCrash:    "destroy",
		Devices:    devices,
		SysInfo:    renderSysInfo(vmi),
	}
	if len(dom.SysInfo) > 0 {
		dom.OS.SMBios = &libvirtxml.DomainSMBios{Mode: "sysinfo"}
	}
	return dom, nil
}

// RenderXML is Render followed by marshalling.
func RenderXML(vmi *virtv1.VirtualMachineInstance, cfg Config) (string, error) {
	dom, err := Render(vmi, cfg)
	if err != nil {
		return "", err
	}
	out, err := dom.Marshal()
	if err != nil {
		return "", fmt.Errorf("marshal domain %s: %w", Name(vmi), err)
	}
	return out, nil
}

// Usable is the accelerator the launcher can actually use: KVM needs the device
// file in its container. A launcher pod rendered with emulation allowed requests
// no kvm device, so even on a KVM node it runs the guest under TCG.
func Usable(requested Accelerator, kvmDevicePresent bool) Accelerator {
	if requested == "" || (requested == AcceleratorKVM && !kvmDevicePresent) {
		return AcceleratorTCG
	}
	return requested
}

func domainType(acc Accelerator) string {
	if acc == AcceleratorKVM {
		return "kvm"
	}
	return "qemu"
}

func domainUUID(vmi *virtv1.VirtualMachineInstance) string {
	if fw := vmi.Spec.Domain.Firmware; fw != nil && fw.UUID != "" {
		return fw.UUID
	}
	return string(vmi.UID)
}

// memoryKiB is memory.guest, else the memory request, else the limit.
func memoryKiB(vmi *virtv1.VirtualMachineInstance) (uint, error) {
	spec := &vmi.Spec.Domain
	q := defaultMemory
	switch {
	case spec.Memory != nil && spec.Memory.Guest != nil:
		q = *spec.Memory.Guest
	case !spec.Resources.Requests.Memory().IsZero():
		q = *spec.Resources.Requests.Memory()
	case !spec.Resources.Limits.Memory().IsZero():
		q = *spec.Resources.Limits.Memory()
	}
	kib := q.Value() / 1024
	if kib <= 0 {
		return 0, fmt.Errorf("spec.domain.memory.guest: %s is not a positive amount", q.String())
	}
	return uint(kib), nil
}

// renderCPU returns the CPU element and the vCPU count (sockets*cores*threads).
func renderCPU(spec *virtv1.CPU, acc Accelerator) (*libvirtxml.DomainCPU, uint) {
	sockets, cores, threads := uint(1), uint(1), uint(1)
	model := ""
	var features []virtv1.CPUFeature
	if spec != nil {
		sockets = positive(spec.Sockets, 1)
		cores = positive(spec.Cores, 1)
		threads = positive(spec.Threads, 1)
		model = spec.Model
		features = spec.Features
	}
	cpu := &libvirtxml.DomainCPU{Topology: &libvirtxml.DomainCPUTopology{
		Sockets: int(sockets), Dies: 1, Cores: int(cores), Threads: int(threads),
	}}
	switch {
	case model == "host-passthrough" || model == "host-model":
		cpu.Mode = model
	case model != "":
		cpu.Mode = "custom"
		cpu.Match = "exact"
		cpu.Model = &libvirtxml.DomainCPUModel{Value: model, Fallback: "allow"}
	case acc == AcceleratorKVM:
		// Upstream's default: the host's model, migratable between equal hosts.
		cpu.Mode = "host-model"
	}
	for _, f := range features {
		policy := f.Policy
		if policy == "" {
			policy = "require"
		}
		cpu.Features = append(cpu.Features, libvirtxml.DomainCPUFeature{Policy: policy, Name: f.Name})
	}
	return cpu, sockets * cores * threads
}

func positive(v int64, def uint) uint {
	if v > 0 {
		return uint(v)
	}
	return def
}

func renderOS(vmi *virtv1.VirtualMachineInstance, cfg Config) (*libvirtxml.DomainOS, error) {
	machine := DefaultMachine
	if m := vmi.Spec.Domain.Machine; m != nil && m.Type != "" {
		machine = m.Type
	}
	osSpec := &libvirtxml.DomainOS{Type: &libvirtxml.DomainOSType{Arch: "x86_64", Machine: machine, Type: "hvm"}}
	fw := vmi.Spec.Domain.Firmware
	if fw != nil && fw.Bootloader != nil {
		renderBootloader(osSpec, fw.Bootloader)
	}
	if fw != nil && fw.KernelBoot != nil {
		if cfg.KernelPath == "" && cfg.InitrdPath == "" {
			return nil, fmt.Errorf("spec.domain.firmware.kernelBoot: no kernel or initrd was found for the VMI")
		}
		osSpec.Kernel = cfg.KernelPath
		osSpec.Initrd = cfg.InitrdPath
		osSpec.Cmdline = strings.TrimSpace(fw.KernelBoot.KernelArgs)
	}
	return osSpec, nil
}

func renderBootloader(osSpec *libvirtxml.DomainOS, bl *virtv1.Bootloader) {
	if bl.EFI != nil {
		osSpec.Firmware = "efi"
		secure := bl.EFI.SecureBoot == nil || *bl.EFI.SecureBoot
		osSpec.FirmwareInfo = &libvirtxml.DomainOSFirmwareInfo{Features: []libvirtxml.DomainOSFirmwareFeature{
			{Name: "secure-boot", Enabled: yesNo(secure)},
			{Name: "enrolled-keys", Enabled: yesNo(secure)},
		}}
	}
	if bl.BIOS != nil && bl.BIOS.UseSerial != nil && *bl.BIOS.UseSerial {
		osSpec.BIOS = &libvirtxml.DomainBIOS{UseSerial: "yes"}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// renderFeatures enables ACPI unless the VMI disables it: graceful shutdown
// relies on the ACPI power button.
func renderFeatures(f *virtv1.Features) *libvirtxml.DomainFeatureList {
	out := &libvirtxml.DomainFeatureList{}
	if f == nil || f.ACPI.Enabled == nil || *f.ACPI.Enabled {
		out.ACPI = &libvirtxml.DomainFeature{}
	}
	if f != nil && f.Apic != nil && (f.Apic.Enabled == nil || *f.Apic.Enabled) {
		out.APIC = &libvirtxml.DomainFeatureAPIC{}
	}
	if f != nil && f.SMM != nil && (f.SMM.Enabled == nil || *f.SMM.Enabled) {
		out.SMM = &libvirtxml.DomainFeatureSMM{State: "on"}
	}
	return out
}

func renderSysInfo(vmi *virtv1.VirtualMachineInstance) []libvirtxml.DomainSysInfo {
	fw := vmi.Spec.Domain.Firmware
	if fw == nil || fw.Serial == "" {
		return nil
	}
	return []libvirtxml.DomainSysInfo{{SMBIOS: &libvirtxml.DomainSysInfoSMBIOS{
		System: &libvirtxml.DomainSysInfoSystem{Entry: []libvirtxml.DomainSysInfoEntry{
			{Name: "serial", Value: fw.Serial},
			{Name: "uuid", Value: domainUUID(vmi)},
		}},
	}}}
}
