package podplan

import (
	"fmt"
	"net"
	"net/netip"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
)

// Names of the primary binding inside the launcher's network namespace (the
// pod network, or the default Multus network); secondary networks' names come
// from multus.PodInterfaceName, BridgeName and TapName.
const (
	PodInterface = multus.PrimaryPodInterface
	BridgeName   = multus.PrimaryBridge
	TapName      = multus.PrimaryTap
)

// Binding is how the VMI interface reaches the pod network.
type Binding string

// Bindings built by podsetup.
const (
	Masquerade Binding = "masquerade"
	Bridge     Binding = "bridge"
)

// DefaultMasqueradeCIDR is upstream's guest network for masquerade.
const DefaultMasqueradeCIDR = "10.0.2.0/24"

// bridgeBindingAddr is a link-local address on the bridge of a bridge binding
// so the DHCP responder has a source address; the guest never routes through it.
var bridgeBindingAddr = netip.MustParsePrefix("169.254.75.10/32")

// Route is an IPv4 route; an invalid Dst is the default route.
type Route struct {
	Dst     netip.Prefix `json:"dst"`
	Gateway netip.Addr   `json:"gateway"`
}

// Observed is the pod interface as found in the launcher's network namespace.
type Observed struct {
	Name   string
	MAC    net.HardwareAddr
	MTU    int
	Addrs  []netip.Prefix
	Routes []Route
}

// Lease is what the launcher's DHCP responder hands the guest.
type Lease struct {
	// Addr is the guest's address and prefix; invalid when there is none.
	Addr   netip.Prefix `json:"addr"`
	Router netip.Addr   `json:"router,omitzero"`
	// Routes are further routes through a gateway (DHCP option 121).
	Routes []Route `json:"routes,omitempty"`
	// ServerID is the responder's address, on the bridge.
	ServerID netip.Addr `json:"serverID"`
}

// Plan is what one VMI interface's binding sets up. It is stored by the
// handler before being applied, so that a restart re-applies the same plan
// (the pod address a bridge binding moved is no longer observable).
type Plan struct {
	// Interface is the VMI interface name.
	Interface    string  `json:"interface"`
	Binding      Binding `json:"binding"`
	PodInterface string  `json:"podInterface"`
	Bridge       string  `json:"bridge"`
	Tap          string  `json:"tap"`
	MTU          int     `json:"mtu"`
	// BridgeAddr is the in-pod bridge's address: the guest's gateway for
	// masquerade, a link-local source for DHCP for bridge.
	BridgeAddr netip.Prefix `json:"bridgeAddr"`
	// GuestMAC is the VMI's MAC, or else the pod interface's original MAC
	// (bridge) or a generated one (masquerade).
	GuestMAC string `json:"guestMAC"`
	// PodMAC, when set, replaces the pod interface's MAC (bridge: it gave its
	// own to the guest; two ports of one bridge cannot share a MAC).
	PodMAC string `json:"podMAC,omitempty"`
	// MoveAddr (bridge) is the pod address that moves to the guest: it is
	// removed from the pod interface, which is enslaved to the bridge.
	MoveAddr netip.Prefix `json:"moveAddr,omitzero"`
	Lease    Lease        `json:"lease"`
	// NAT (masquerade) are the rules of the pod's NAT table.
	NAT []NATRule `json:"nat,omitempty"`
	// StatusAddresses are reported in status.interfaces: the pod's addresses
	// for masquerade, the guest's for bridge.
	StatusAddresses []string `json:"statusAddresses,omitempty"`
}

// Bound is a VMI interface bound by masquerade or bridge to a pod interface.
type Bound struct {
	Iface   *virtv1.Interface
	Network *virtv1.Network
	// PodInterface is eth0 or the secondary network's hashed name.
	PodInterface string
}

// Secondary reports whether the interface is on a secondary Multus network.
func (b Bound) Secondary() bool { return multus.IsSecondary(b.Network) }

// BoundInterfaces lists the VMI's interfaces that podsetup builds, in spec
// order: those on the pod network, the default Multus network or a secondary
// Multus network, bound by masquerade or bridge.
func BoundInterfaces(vmi *virtv1.VirtualMachineInstance) []Bound {
	nets := map[string]*virtv1.Network{}
	for i := range vmi.Spec.Networks {
		if n := &vmi.Spec.Networks[i]; n.Pod != nil || n.Multus != nil {
			nets[n.Name] = n
		}
	}
	var out []Bound
	for i := range vmi.Spec.Domain.Devices.Interfaces {
		iface := &vmi.Spec.Domain.Devices.Interfaces[i]
		if n := nets[iface.Name]; n != nil && (iface.Masquerade != nil || iface.Bridge != nil) {
			out = append(out, Bound{Iface: iface, Network: n, PodInterface: multus.PodInterfaceName(n)})
		}
	}
	return out
}

// PodInterfaceOf returns the VMI interface bound to the primary pod interface
// (the pod network or the default Multus network) by masquerade or bridge,
// its network, or nils if there is none.
func PodInterfaceOf(vmi *virtv1.VirtualMachineInstance) (*virtv1.Interface, *virtv1.Network) {
	for _, b := range BoundInterfaces(vmi) {
		if !b.Secondary() {
			return b.Iface, b.Network
		}
	}
	return nil, nil
}

// Error is a plan that cannot be made: retrying with the same VMI and pod
// interface gives the same error.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// For decides the binding of the VMI's primary pod interface given the
// observed pod interface; nil when the VMI has none. spareMAC is the pod
// interface's new MAC when a bridge guest takes its own, and the guest's MAC
// for masquerade when the VMI sets none.
func For(vmi *virtv1.VirtualMachineInstance, obs Observed, spareMAC net.HardwareAddr) (*Plan, error) {
	for _, b := range BoundInterfaces(vmi) {
		if !b.Secondary() {
			return ForInterface(b, obs, spareMAC)
		}
	}
	return nil, nil
}

// ForInterface decides the binding of one bound interface given its observed
// pod interface.
func ForInterface(b Bound, obs Observed, spareMAC net.HardwareAddr) (*Plan, error) {
	p, err := plan(b, obs, spareMAC)
	if err != nil {
		return nil, &Error{Err: err}
	}
	return p, nil
}

func plan(b Bound, obs Observed, spareMAC net.HardwareAddr) (*Plan, error) {
	iface := b.Iface
	if len(spareMAC) != 6 {
		return nil, fmt.Errorf("spare MAC %q is not an ethernet address", spareMAC)
	}
	var guestMAC net.HardwareAddr
	if iface.MACAddress != "" {
		mac, err := net.ParseMAC(iface.MACAddress)
		if err != nil {
			return nil, fmt.Errorf("interface %s: macAddress: %w", iface.Name, err)
		}
		guestMAC = mac
	}
	p := &Plan{Interface: iface.Name, PodInterface: obs.Name, Bridge: multus.BridgeName(b.PodInterface),
		Tap: multus.TapName(b.PodInterface), MTU: obs.MTU}
	if iface.Bridge != nil {
		return planBridge(p, obs, guestMAC, spareMAC, b.Secondary())
	}
	if b.Secondary() {
		return nil, fmt.Errorf("interface %s: masquerade is not possible on a secondary network", iface.Name)
	}
	return planMasquerade(p, iface, b.Network.Pod, obs, guestMAC, spareMAC)
}

// planBridge moves the pod interface's address (if IPAM gave it one) to the
// guest. A secondary interface's lease offers no default route, so that it
// never takes the guest's default route from the primary interface; the
// other routes its IPAM gave are offered (option 121).
func planBridge(p *Plan, obs Observed, guestMAC, spareMAC net.HardwareAddr, secondary bool) (*Plan, error) {
	p.Binding, p.BridgeAddr = Bridge, bridgeBindingAddr
	if guestMAC != nil {
		p.GuestMAC = guestMAC.String()
	} else {
		if len(obs.MAC) != 6 {
			return nil, fmt.Errorf("pod interface %s has no usable MAC address", obs.Name)
		}
		p.GuestMAC, p.PodMAC = obs.MAC.String(), spareMAC.String()
	}
	p.Lease.ServerID = bridgeBindingAddr.Addr()
	if a, ok := podIPv4(obs); ok {
		p.MoveAddr, p.Lease.Addr = a, a
		p.StatusAddresses = []string{a.Addr().String()}
	}
	for _, r := range obs.Routes {
		switch {
		case !r.Gateway.Is4():
			// Connected routes follow from the address and mask.
		case !r.Dst.IsValid() || r.Dst.Bits() == 0:
			if !p.Lease.Router.IsValid() && !secondary {
				p.Lease.Router = r.Gateway
			}
		case r.Dst.Addr().Is4():
			p.Lease.Routes = append(p.Lease.Routes, Route{Dst: r.Dst.Masked(), Gateway: r.Gateway})
		}
	}
	return p, nil
}

// podIPv4 is the pod interface's first global IPv4 address.
func podIPv4(obs Observed) (netip.Prefix, bool) {
	for _, a := range obs.Addrs {
		if ip := a.Addr().Unmap(); ip.Is4() && ip.IsGlobalUnicast() {
			return netip.PrefixFrom(ip, a.Bits()), true
		}
	}
	return netip.Prefix{}, false
}
