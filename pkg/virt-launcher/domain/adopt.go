package domain

import (
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// AdoptPaths is the definition a migration target starts: the source's
// migratable definition (its device layout, addresses and state as libvirt
// keeps them) with the target launcher's own host paths, taken from local,
// the target's rendering of the same VMI: disk sources, kernel and initrd,
// the serial console's, the display's and (when the target names one) the
// guest agent's sockets, and the pod taps. In a
// cluster every launcher pod lays its files out alike, so this mostly
// changes nothing; it is what keeps a target from ever using a path that only
// exists on the source. Disks match by target name, other devices by
// position; definitions that do not line up are refused.
func AdoptPaths(sourceXML, localXML string) (string, error) {
	var src, local libvirtxml.Domain
	if err := src.Unmarshal(sourceXML); err != nil {
		return "", fmt.Errorf("source domain: %w", err)
	}
	if err := local.Unmarshal(localXML); err != nil {
		return "", fmt.Errorf("target domain: %w", err)
	}
	if src.Devices == nil || local.Devices == nil {
		return "", fmt.Errorf("a domain without devices")
	}
	if err := adoptDisks(src.Devices, local.Devices); err != nil {
		return "", err
	}
	if err := adoptByPosition(src.Devices, local.Devices); err != nil {
		return "", err
	}
	if src.OS != nil && local.OS != nil {
		src.OS.Kernel, src.OS.Initrd = local.OS.Kernel, local.OS.Initrd
	}
	out, err := src.Marshal()
	if err != nil {
		return "", fmt.Errorf("marshal domain: %w", err)
	}
	return out, nil
}

func adoptDisks(src, local *libvirtxml.DomainDeviceList) error {
	byTarget := map[string]*libvirtxml.DomainDisk{}
	for i := range local.Disks {
		if t := local.Disks[i].Target; t != nil {
			byTarget[t.Dev] = &local.Disks[i]
		}
	}
	if len(byTarget) != len(src.Disks) {
		return fmt.Errorf("the target has %d disks, the source %d", len(byTarget), len(src.Disks))
	}
	for i := range src.Disks {
		d := &src.Disks[i]
		if d.Target == nil || byTarget[d.Target.Dev] == nil {
			return fmt.Errorf("source disk %d has no counterpart on the target", i)
		}
		l := byTarget[d.Target.Dev]
		d.Source, d.BackingStore = l.Source, l.BackingStore
	}
	return nil
}

// adoptByPosition takes the sockets of serial ports, consoles and displays
// and the interfaces' taps from the target's devices in the same position.
func adoptByPosition(src, local *libvirtxml.DomainDeviceList) error {
	if len(src.Serials) != len(local.Serials) || len(src.Consoles) != len(local.Consoles) ||
		len(src.Graphics) != len(local.Graphics) || len(src.Interfaces) != len(local.Interfaces) {
		return fmt.Errorf("the target's serial ports, consoles, displays or interfaces differ from the source's")
	}
	for i := range src.Serials {
		src.Serials[i].Source = local.Serials[i].Source
	}
	for i := range src.Consoles {
		src.Consoles[i].Source = local.Consoles[i].Source
	}
	for i := range src.Graphics {
		if src.Graphics[i].VNC != nil && local.Graphics[i].VNC != nil {
			src.Graphics[i].VNC.Socket = local.Graphics[i].VNC.Socket
			src.Graphics[i].VNC.Listeners = local.Graphics[i].VNC.Listeners
		}
	}
	for i := range src.Interfaces {
		src.Interfaces[i].Target = local.Interfaces[i].Target
	}
	adoptChannels(src, local)
	return nil
}

// adoptChannels takes the host end of each virtio channel the target gives a
// path (by port name); a source channel without one lets libvirt choose.
func adoptChannels(src, local *libvirtxml.DomainDeviceList) {
	sockets := map[string]*libvirtxml.DomainChardevSource{}
	for _, c := range local.Channels {
		if c.Target != nil && c.Target.VirtIO != nil && c.Source != nil && c.Source.UNIX != nil && c.Source.UNIX.Path != "" {
			sockets[c.Target.VirtIO.Name] = c.Source
		}
	}
	for i := range src.Channels {
		c := &src.Channels[i]
		if c.Target != nil && c.Target.VirtIO != nil && sockets[c.Target.VirtIO.Name] != nil {
			c.Source = sockets[c.Target.VirtIO.Name]
		}
	}
}
