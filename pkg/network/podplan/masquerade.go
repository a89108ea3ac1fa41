package podplan

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
)

// Protocol is a transport protocol of a NAT rule; "" matches any.
type Protocol string

// Protocols a port of interfaces[].ports may name.
const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// NATKind is what a rule does.
type NATKind string

// Kinds of NAT rules.
const (
	// DNAT sends inbound traffic for the pod address to the guest.
	DNAT NATKind = "dnat"
	// Masq rewrites the guest's outbound traffic to the pod address.
	Masq NATKind = "masquerade"
)

// NATRule is one rule of the pod's NAT table. DNAT: packets arriving on
// InInterface for Match (and Proto/Port when set) go to To. Masq: packets from
// Match leaving through OutInterface take the pod's address.
type NATRule struct {
	Kind         NATKind    `json:"kind"`
	InInterface  string     `json:"inInterface,omitempty"`
	OutInterface string     `json:"outInterface,omitempty"`
	Match        netip.Addr `json:"match"`
	Proto        Protocol   `json:"proto,omitempty"`
	Port         uint16     `json:"port,omitempty"`
	To           netip.Addr `json:"to,omitzero"`
}

// String is the rule in nft syntax (logs and test failures).
func (r NATRule) String() string {
	var b strings.Builder
	switch r.Kind {
	case DNAT:
		fmt.Fprintf(&b, "iifname %q ip daddr %s", r.InInterface, r.Match)
	default:
		fmt.Fprintf(&b, "oifname %q ip saddr %s", r.OutInterface, r.Match)
	}
	if r.Proto != "" {
		fmt.Fprintf(&b, " %s dport %d", r.Proto, r.Port)
	}
	if r.Kind == DNAT {
		fmt.Fprintf(&b, " dnat to %s", r.To)
	} else {
		b.WriteString(" masquerade")
	}
	return b.String()
}

// GuestNetwork is the masquerade guest network: the gateway (.1, on the in-pod
// bridge) and the guest (.2).
func GuestNetwork(pod *virtv1.PodNetwork) (gateway, guest netip.Prefix, err error) {
	cidr := DefaultMasqueradeCIDR
	if pod != nil && pod.VMNetworkCIDR != "" {
		cidr = pod.VMNetworkCIDR
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return gateway, guest, fmt.Errorf("vmNetworkCIDR %q: %w", cidr, err)
	}
	if !p.Addr().Is4() || p.Bits() > 30 {
		return gateway, guest, fmt.Errorf("vmNetworkCIDR %q: want an IPv4 network of at least 4 addresses", cidr)
	}
	p = p.Masked()
	gw := p.Addr().Next()
	return netip.PrefixFrom(gw, p.Bits()), netip.PrefixFrom(gw.Next(), p.Bits()), nil
}

func planMasquerade(p *Plan, iface *virtv1.Interface, pod *virtv1.PodNetwork, obs Observed,
	guestMAC, spareMAC net.HardwareAddr) (*Plan, error) {
	gateway, guest, err := GuestNetwork(pod)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", iface.Name, err)
	}
	podAddr, ok := podIPv4(obs)
	if !ok {
		return nil, fmt.Errorf("interface %s: pod interface %s has no IPv4 address to masquerade behind",
			iface.Name, obs.Name)
	}
	if gateway.Overlaps(podAddr) {
		return nil, fmt.Errorf("interface %s: guest network %s overlaps the pod address %s", iface.Name,
			gateway.Masked(), podAddr)
	}
	if guestMAC == nil {
		guestMAC = spareMAC
	}
	p.Binding, p.BridgeAddr, p.GuestMAC = Masquerade, gateway, guestMAC.String()
	p.Lease = Lease{Addr: guest, Router: gateway.Addr(), ServerID: gateway.Addr()}
	p.StatusAddresses = []string{podAddr.Addr().String()}
	p.NAT = natRules(iface, obs.Name, podAddr.Addr(), guest.Addr())
	return p, nil
}

// natRules: inbound traffic for the pod address goes to the guest (every port,
// or only the interface's ports when it lists any), outbound from the guest
// takes the pod address.
func natRules(iface *virtv1.Interface, podIf string, podAddr, guest netip.Addr) []NATRule {
	dnat := NATRule{Kind: DNAT, InInterface: podIf, Match: podAddr, To: guest}
	var out []NATRule
	if len(iface.Ports) == 0 {
		out = append(out, dnat)
	}
	for _, port := range iface.Ports {
		r := dnat
		r.Proto, r.Port = TCP, uint16(port.Port)
		if strings.EqualFold(port.Protocol, "UDP") {
			r.Proto = UDP
		}
		out = append(out, r)
	}
	return append(out, NATRule{Kind: Masq, OutInterface: podIf, Match: guest})
}
