package domain

import (
	"fmt"

	"libvirt.org/go/libvirtxml"

	virtv1 "kvirt.io/api/core/v1"
)

// videoVRAMKiB is the video memory of the default models, enough for
// 1920x1080 at 32 bits per pixel with two buffers.
const videoVRAMKiB = 16384

// HasGraphics reports whether the VMI gets a display: unless
// autoattachGraphicsDevice is false, as upstream.
func HasGraphics(vmi *virtv1.VirtualMachineInstance) bool {
	a := vmi.Spec.Domain.Devices.AutoattachGraphicsDevice
	return a == nil || *a
}

// VideoModel is the video device model of a VMI with a display: the type it
// names, else virtio on arm64 and s390x (which have no VGA), bochs under EFI
// (a framebuffer without legacy VGA, which OVMF drives) and vga otherwise.
func VideoModel(vmi *virtv1.VirtualMachineInstance) string {
	if v := vmi.Spec.Domain.Devices.Video; v != nil && v.Type != "" {
		return v.Type
	}
	switch vmi.Spec.Architecture {
	case "arm64", "s390x":
		return "virtio"
	}
	if fw := vmi.Spec.Domain.Firmware; fw != nil && fw.Bootloader != nil && fw.Bootloader.EFI != nil {
		return "bochs"
	}
	return "vga"
}

// renderGraphics adds a VNC display that QEMU serves on a unix socket (the
// launcher is its only client) and the video device it shows.
func renderGraphics(vmi *virtv1.VirtualMachineInstance, socket string, devs *libvirtxml.DomainDeviceList) error {
	if !HasGraphics(vmi) {
		return nil
	}
	if socket == "" {
		return fmt.Errorf("spec.domain.devices.autoattachGraphicsDevice: a display needs a VNC socket path")
	}
	devs.Graphics = []libvirtxml.DomainGraphic{{VNC: &libvirtxml.DomainGraphicVNC{
		Listeners: []libvirtxml.DomainGraphicListener{{Socket: &libvirtxml.DomainGraphicListenerSocket{Socket: socket}}},
	}}}
	model := libvirtxml.DomainVideoModel{Type: VideoModel(vmi), Heads: 1}
	switch model.Type {
	case "vga", "bochs", "cirrus":
		model.VRam = videoVRAMKiB
	}
	devs.Videos = []libvirtxml.DomainVideo{{Model: model, Alias: &libvirtxml.DomainAlias{Name: "ua-video0"}}}
	return nil
}

// renderInputs adds the VMI's input devices (tablets, which give a VNC viewer
// an absolute pointer); bus usb unless virtio is asked for, as upstream.
func renderInputs(vmi *virtv1.VirtualMachineInstance, devs *libvirtxml.DomainDeviceList) {
	for _, in := range vmi.Spec.Domain.Devices.Inputs {
		bus := in.Bus
		if bus == "" {
			bus = "usb"
		}
		devs.Inputs = append(devs.Inputs, libvirtxml.DomainInput{Type: in.Type, Bus: bus,
			Alias: &libvirtxml.DomainAlias{Name: "ua-" + in.Name}})
	}
}
