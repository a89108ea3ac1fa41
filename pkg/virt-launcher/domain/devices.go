package domain

import (
	"fmt"

	"libvirt.org/go/libvirtxml"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/disktarget"
)

func renderDevices(vmi *virtv1.VirtualMachineInstance, cfg Config) (*libvirtxml.DomainDeviceList, error) {
	spec := &vmi.Spec.Domain.Devices
	disks, err := renderDisks(vmi, cfg)
	if err != nil {
		return nil, err
	}
	ifaces, err := renderInterfaces(vmi, cfg)
	if err != nil {
		return nil, err
	}
	devs := &libvirtxml.DomainDeviceList{
		Emulator:   cfg.Emulator,
		Disks:      disks,
		Interfaces: ifaces,
		MemBalloon: &libvirtxml.DomainMemBalloon{Model: "virtio"},
		Channels:   []libvirtxml.DomainChannel{guestAgentChannel(cfg.GuestAgentSocket)},
	}
	if spec.AutoattachMemBalloon != nil && !*spec.AutoattachMemBalloon {
		devs.MemBalloon = &libvirtxml.DomainMemBalloon{Model: "none"}
	}
	if spec.AutoattachSerialConsole == nil || *spec.AutoattachSerialConsole {
		if cfg.ConsoleSocket == "" {
			return nil, fmt.Errorf("spec.domain.devices: a serial console needs a console socket path")
		}
		devs.Serials, devs.Consoles = renderConsole(cfg.ConsoleSocket)
	}
	if err := renderGraphics(vmi, cfg.VNCSocket, devs); err != nil {
		return nil, err
	}
	renderInputs(vmi, devs)
	if spec.RNG != nil {
		devs.RNGs = []libvirtxml.DomainRNG{{
			Model:   "virtio",
			Backend: &libvirtxml.DomainRNGBackend{Random: &libvirtxml.DomainRNGBackendRandom{Device: "/dev/urandom"}},
		}}
	}
	return devs, nil
}

// GuestAgentChannel is the virtio-serial port name qemu-guest-agent listens on.
const GuestAgentChannel = "org.qemu.guest_agent.0"

// guestAgentChannel is the virtio-serial channel every domain gets for the QEMU
// guest agent. The host end is a unix socket libvirt connects to itself
// (agent commands go through libvirt's QEMUAgentCommand): at socket, else in
// libvirt's own (per launcher) channel directory.
func guestAgentChannel(socket string) libvirtxml.DomainChannel {
	return libvirtxml.DomainChannel{
		Source: &libvirtxml.DomainChardevSource{UNIX: &libvirtxml.DomainChardevSourceUNIX{Mode: "bind", Path: socket}},
		Target: &libvirtxml.DomainChannelTarget{VirtIO: &libvirtxml.DomainChannelTargetVirtIO{Name: GuestAgentChannel}},
	}
}

// renderConsole puts serial port 0 on a unix socket QEMU listens on; the
// launcher is its only client and fans the stream out.
func renderConsole(socket string) ([]libvirtxml.DomainSerial, []libvirtxml.DomainConsole) {
	port := uint(0)
	src := func() *libvirtxml.DomainChardevSource {
		return &libvirtxml.DomainChardevSource{UNIX: &libvirtxml.DomainChardevSourceUNIX{Mode: "bind", Path: socket}}
	}
	serial := libvirtxml.DomainSerial{
		Source: src(),
		Target: &libvirtxml.DomainSerialTarget{Type: "isa-serial", Port: &port},
		Alias:  &libvirtxml.DomainAlias{Name: "ua-serial0"},
	}
	console := libvirtxml.DomainConsole{
		Source: src(),
		Target: &libvirtxml.DomainConsoleTarget{Type: "serial", Port: &port},
	}
	return []libvirtxml.DomainSerial{serial}, []libvirtxml.DomainConsole{console}
}

func renderDisks(vmi *virtv1.VirtualMachineInstance, cfg Config) ([]libvirtxml.DomainDisk, error) {
	names := disktarget.Names(vmi.Spec.Domain.Devices.Disks)
	var out []libvirtxml.DomainDisk
	for i := range vmi.Spec.Domain.Devices.Disks {
		d := &vmi.Spec.Domain.Devices.Disks[i]
		src, ok := cfg.Volumes[d.Name]
		if !ok {
			return nil, fmt.Errorf("spec.domain.devices.disks[%d] %q: no host source for its volume", i, d.Name)
		}
		disk, err := renderDisk(d, src, names[d.Name])
		if err != nil {
			return nil, fmt.Errorf("spec.domain.devices.disks[%d] %q: %w", i, d.Name, err)
		}
		out = append(out, disk)
	}
	return out, nil
}

// diskTarget is the device kind, bus and read-only flag of a VMI disk.
func diskTarget(d *virtv1.Disk, readonly bool) (string, virtv1.DiskBus, bool) {
	bus := disktarget.Bus(d)
	switch {
	case d.Cdrom != nil:
		return "cdrom", bus, d.Cdrom.Readonly == nil || *d.Cdrom.Readonly || readonly
	case d.LUN != nil:
		return "lun", bus, readonly || (d.LUN.Readonly != nil && *d.LUN.Readonly)
	case d.Disk != nil:
		return "disk", bus, readonly || (d.Disk.Readonly != nil && *d.Disk.Readonly)
	}
	return "disk", bus, readonly
}

func renderDisk(d *virtv1.Disk, src VolumeSource, dev string) (libvirtxml.DomainDisk, error) {
	device, bus, readonly := diskTarget(d, src.ReadOnly)
	if device == "lun" && !src.Block {
		return libvirtxml.DomainDisk{}, fmt.Errorf("a lun needs a block device")
	}
	format := src.Format
	if format == "" {
		format = "raw"
	}
	disk := libvirtxml.DomainDisk{
		Device: device,
		Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: format, Cache: d.Cache},
		Target: &libvirtxml.DomainDiskTarget{Dev: dev, Bus: string(bus)},
		Serial: d.Serial,
		Alias:  &libvirtxml.DomainAlias{Name: "ua-" + d.Name},
	}
	if src.Block {
		disk.Source = &libvirtxml.DomainDiskSource{Block: &libvirtxml.DomainDiskSourceBlock{Dev: src.Path}}
	} else {
		disk.Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: src.Path}}
	}
	if readonly {
		disk.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
	} else if src.Transient {
		disk.Transient = &libvirtxml.DomainDiskTransient{}
	}
	if d.BootOrder != nil && *d.BootOrder > 0 {
		disk.Boot = &libvirtxml.DomainDeviceBoot{Order: uint(*d.BootOrder)}
	}
	return disk, nil
}

func renderInterfaces(vmi *virtv1.VirtualMachineInstance, cfg Config) ([]libvirtxml.DomainInterface, error) {
	networks := map[string]*virtv1.Network{}
	for i := range vmi.Spec.Networks {
		networks[vmi.Spec.Networks[i].Name] = &vmi.Spec.Networks[i]
	}
	var out []libvirtxml.DomainInterface
	for i := range vmi.Spec.Domain.Devices.Interfaces {
		iface := &vmi.Spec.Domain.Devices.Interfaces[i]
		path := fmt.Sprintf("spec.domain.devices.interfaces[%d] %q", i, iface.Name)
		net, ok := networks[iface.Name]
		if !ok {
			return nil, fmt.Errorf("%s: no network of that name", path)
		}
		if net.Pod == nil && net.Multus == nil {
			return nil, fmt.Errorf("%s: only pod and multus networks are supported", path)
		}
		dom, err := renderInterface(iface, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := interfaceDetails(&dom, iface); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, dom)
	}
	return out, nil
}

func renderInterface(iface *virtv1.Interface, cfg Config) (libvirtxml.DomainInterface, error) {
	model := iface.Model
	if model == "" {
		model = "virtio"
	}
	dom := libvirtxml.DomainInterface{
		Model: &libvirtxml.DomainInterfaceModel{Type: model},
		Alias: &libvirtxml.DomainAlias{Name: "ua-" + iface.Name},
	}
	if iface.MACAddress != "" {
		dom.MAC = &libvirtxml.DomainInterfaceMAC{Address: iface.MACAddress}
	}
	if iface.BootOrder != nil && *iface.BootOrder > 0 {
		dom.Boot = &libvirtxml.DomainDeviceBoot{Order: uint(*iface.BootOrder)}
	}
	switch {
	case iface.Masquerade != nil, iface.Bridge != nil:
		// virt-handler built the binding in the pod's network namespace: a
		// tap on an in-pod bridge (masquerade: NAT to the pod address; bridge:
		// the pod interface is on the bridge). QEMU only opens the tap.
		tap, ok := cfg.Taps[iface.Name]
		if !ok {
			return dom, fmt.Errorf("no tap device: virt-handler did not build the pod network binding")
		}
		dom.Source = &libvirtxml.DomainInterfaceSource{Ethernet: &libvirtxml.DomainInterfaceSourceEthernet{}}
		dom.Target = &libvirtxml.DomainInterfaceTarget{Dev: tap, Managed: "no"}
	default:
		return dom, fmt.Errorf("only masquerade and bridge bindings are supported")
	}
	return dom, nil
}
