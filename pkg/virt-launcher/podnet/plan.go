package podnet

import (
	"fmt"
	"net"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/launcheruser"
)

// Fixed names inside the launcher's network namespace (one pod network).
const (
	PodInterface = "eth0"
	BridgeName   = "k6t-eth0"
	TapName      = "tap0"
)

// bridgeAddr is a link-local address on the bridge so the DHCP responder has
// a source address; the guest never routes through it.
var bridgeAddr = net.IPNet{IP: net.IPv4(169, 254, 75, 10).To4(), Mask: net.CIDRMask(32, 32)}

// Route is an IPv4 route of the pod interface; a nil Dst is the default route.
type Route struct {
	Dst     *net.IPNet
	Gateway net.IP
}

// Observed is the pod interface as found in the launcher's network namespace.
type Observed struct {
	Name   string
	MAC    net.HardwareAddr
	MTU    int
	Addrs  []*net.IPNet
	Routes []Route
}

// Desired is what the bridge binding sets up for one VMI interface.
type Desired struct {
	// Interface is the VMI interface name.
	Interface    string
	PodInterface string
	Bridge       string
	Tap          string
	BridgeAddr   net.IPNet
	// GuestMAC is the VMI's MAC, or else the pod interface's original MAC.
	GuestMAC net.HardwareAddr
	// PodMAC, when set, replaces the pod interface's MAC (it gave its own to
	// the guest; two ports of one bridge cannot share a MAC).
	PodMAC net.HardwareAddr
	// GuestAddr is the pod's former IPv4 address; nil when it had none.
	GuestAddr *net.IPNet
	Gateway   net.IP
	// Routes are the pod's other routes through a gateway (DHCP option 121).
	Routes []Route
	MTU    int
}

// BridgeInterface returns the VMI interface bound by bridge to the pod network,
// or nil if there is none. Such a VMI gets a root launcher with NET_ADMIN
// (launcheruser decides that from the same predicate).
func BridgeInterface(vmi *virtv1.VirtualMachineInstance) *virtv1.Interface {
	return launcheruser.PodBridgeInterface(&vmi.Spec)
}

// Plan decides the bridge binding for iface given the observed pod interface.
// spareMAC is used for the pod interface when the guest takes its MAC.
func Plan(iface *virtv1.Interface, obs Observed, spareMAC net.HardwareAddr) (*Desired, error) {
	d := &Desired{
		Interface: iface.Name, PodInterface: obs.Name, Bridge: BridgeName, Tap: TapName,
		BridgeAddr: bridgeAddr, MTU: obs.MTU,
	}
	if iface.MACAddress != "" {
		mac, err := net.ParseMAC(iface.MACAddress)
		if err != nil {
			return nil, fmt.Errorf("interface %s: macAddress: %w", iface.Name, err)
		}
		d.GuestMAC = mac
	} else {
		if len(obs.MAC) != 6 || len(spareMAC) != 6 {
			return nil, fmt.Errorf("pod interface %s has no usable MAC address", obs.Name)
		}
		d.GuestMAC, d.PodMAC = obs.MAC, spareMAC
	}
	for _, a := range obs.Addrs {
		if ip4 := a.IP.To4(); ip4 != nil && ip4.IsGlobalUnicast() {
			d.GuestAddr = &net.IPNet{IP: ip4, Mask: a.Mask}
			break
		}
	}
	for _, r := range obs.Routes {
		switch {
		case r.Gateway == nil:
			// Connected routes follow from the address and mask.
		case r.Dst == nil || isDefault(r.Dst):
			if d.Gateway == nil {
				d.Gateway = r.Gateway.To4()
			}
		default:
			if dst := ipv4Net(r.Dst); dst != nil && r.Gateway.To4() != nil {
				d.Routes = append(d.Routes, Route{Dst: dst, Gateway: r.Gateway.To4()})
			}
		}
	}
	return d, nil
}

// ipv4Net is n with a 4-byte address and mask, or nil if n is not IPv4.
func ipv4Net(n *net.IPNet) *net.IPNet {
	ip4 := n.IP.To4()
	ones, bits := n.Mask.Size()
	if ip4 == nil || bits != 32 {
		return nil
	}
	return &net.IPNet{IP: ip4.Mask(net.CIDRMask(ones, 32)), Mask: net.CIDRMask(ones, 32)}
}

func isDefault(n *net.IPNet) bool {
	ones, _ := n.Mask.Size()
	return ones == 0
}

// Lease is what the DHCP responder hands the guest.
func (d *Desired) Lease(dns []net.IP) Lease {
	l := Lease{MAC: d.GuestMAC, Router: d.Gateway, Routes: d.Routes, MTU: d.MTU,
		ServerID: d.BridgeAddr.IP, DNS: dns, Seconds: defaultLeaseSeconds}
	if d.GuestAddr != nil {
		l.IP, l.Mask = d.GuestAddr.IP, d.GuestAddr.Mask
	}
	return l
}
