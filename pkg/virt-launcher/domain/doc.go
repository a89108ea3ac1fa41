// Package domain converts a VirtualMachineInstance into a libvirt domain
// definition. It is a pure function of the VMI and a Config the launcher fills
// with what it found on the host (volume paths, accelerator, socket paths); it
// touches no files, no libvirt connection and imports nothing from virt-handler.
package domain
