package podplan

import (
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Proto is what the launcher needs of the plan: the tap, the guest's MAC and
// its DHCP lease.
func (p *Plan) Proto() *launcherv1.PodInterface {
	out := &launcherv1.PodInterface{Name: p.Interface, Binding: string(p.Binding), Tap: p.Tap, Mac: p.GuestMAC,
		DhcpDevice: p.Bridge, ServerIp: p.Lease.ServerID.String(), Mtu: int32(p.MTU), StatusAddresses: p.StatusAddresses}
	if p.Lease.Addr.IsValid() {
		out.GuestCidr = p.Lease.Addr.String()
	}
	if p.Lease.Router.IsValid() {
		out.Router = p.Lease.Router.String()
	}
	for _, r := range p.Lease.Routes {
		out.Routes = append(out.Routes, &launcherv1.PodRoute{Dst: r.Dst.String(), Gateway: r.Gateway.String()})
	}
	return out
}
