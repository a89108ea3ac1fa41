package domain

import (
	"fmt"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	virtv1 "kvirt.io/api/core/v1"
)

// Interface link states of spec.domain.devices.interfaces[].state.
const (
	LinkUp   = "up"
	LinkDown = "down"
)

// interfaceDetails renders what the VMI asks of an interface beyond its
// binding: the link state when set (<link state='down'/> keeps the guest's
// carrier off; unset is libvirt's default, up), the guest PCI
// address and the ACPI index that names the interface in the guest (eno<N>).
func interfaceDetails(dom *libvirtxml.DomainInterface, iface *virtv1.Interface) error {
	switch iface.State {
	case "":
	case LinkUp, LinkDown:
		dom.Link = &libvirtxml.DomainInterfaceLink{State: iface.State}
	default:
		return fmt.Errorf("state %q: only up and down are supported", iface.State)
	}
	if iface.PCIAddress != "" {
		addr, err := PCIAddress(iface.PCIAddress)
		if err != nil {
			return fmt.Errorf("pciAddress: %w", err)
		}
		dom.Address = &libvirtxml.DomainAddress{PCI: addr}
	}
	if iface.ACPIIndex > 0 {
		dom.ACPI = &libvirtxml.DomainDeviceACPI{Index: uint(iface.ACPIIndex)}
	}
	return nil
}

// PCIAddress parses a guest PCI address written DDDD:BB:SS.F (hexadecimal:
// domain, bus, slot up to 1f, function up to 7), as upstream accepts it.
func PCIAddress(s string) (*libvirtxml.DomainAddressPCI, error) {
	dbs, fn, ok := strings.Cut(s, ".")
	parts := strings.Split(dbs, ":")
	if !ok || len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 || len(parts[2]) != 2 || len(fn) != 1 {
		return nil, fmt.Errorf("%q is not a PCI address of the form DDDD:BB:SS.F", s)
	}
	var v [4]uint
	limits := [4]uint64{0xffff, 0xff, 0x1f, 0x7}
	for i, p := range []string{parts[0], parts[1], parts[2], fn} {
		n, err := strconv.ParseUint(p, 16, 16)
		if err != nil || n > limits[i] {
			return nil, fmt.Errorf("%q is not a PCI address of the form DDDD:BB:SS.F", s)
		}
		v[i] = uint(n)
	}
	return &libvirtxml.DomainAddressPCI{Domain: &v[0], Bus: &v[1], Slot: &v[2], Function: &v[3]}, nil
}
