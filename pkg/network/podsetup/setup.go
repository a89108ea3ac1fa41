package podsetup

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/podplan"
)

// Owner is the user and group the launcher (and QEMU) run as: the tap is
// theirs, so QEMU opens it without any capability.
type Owner struct {
	UID, GID uint32
}

// NetNSOfPID is the network namespace of a process in virt-handler's pid
// namespace (virt-handler runs with hostPID).
func NetNSOfPID(pid int32) string { return "/proc/" + strconv.Itoa(int(pid)) + "/ns/net" }

// Ensure builds the bindings of the VMI's interfaces (podplan.BoundInterfaces:
// the pod network's and each secondary network's) in the network namespace at
// nsPath and returns their plans in spec order (none when the VMI has no such
// interface). stored are the plans an earlier run decided (and may have half
// applied): they are applied again as they are. Plans for the other
// interfaces are made from their pod interfaces as observed, and the whole
// list is handed to save before anything changes, so that a restart finds
// them even once a pod address has moved to the guest.
func Ensure(nsPath string, vmi *virtv1.VirtualMachineInstance, stored []*podplan.Plan, owner Owner,
	save func([]*podplan.Plan) error) ([]*podplan.Plan, error) {
	bound := podplan.BoundInterfaces(vmi)
	if len(bound) == 0 {
		return nil, nil
	}
	var plans []*podplan.Plan
	err := inNetNS(nsPath, func(nsFD int) error {
		var err error
		plans, err = decide(bound, stored, save)
		if err != nil {
			return err
		}
		for _, p := range plans {
			if err := apply(nsFD, p, owner); err != nil {
				return fmt.Errorf("interface %s: %w", p.Interface, err)
			}
		}
		return nil
	})
	return plans, err
}

// decide keeps each stored plan that still fits its interface and plans the
// others from the namespace as it is now; it saves the list when it changed.
func decide(bound []podplan.Bound, stored []*podplan.Plan, save func([]*podplan.Plan) error) ([]*podplan.Plan, error) {
	byIface := map[string]*podplan.Plan{}
	for _, p := range stored {
		if p != nil {
			byIface[p.Interface] = p
		}
	}
	plans := make([]*podplan.Plan, 0, len(bound))
	changed := len(stored) != len(bound)
	for _, b := range bound {
		if p := byIface[b.Iface.Name]; p != nil && p.PodInterface == b.PodInterface {
			plans = append(plans, p)
			continue
		}
		obs, err := observe(b.PodInterface)
		if err != nil {
			return nil, err
		}
		p, err := podplan.ForInterface(b, obs, randomMAC())
		if err != nil {
			return nil, err
		}
		plans, changed = append(plans, p), true
	}
	if changed {
		if err := save(plans); err != nil {
			return nil, fmt.Errorf("record pod network plans: %w", err)
		}
	}
	return plans, nil
}

func observe(name string) (podplan.Observed, error) {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return podplan.Observed{}, fmt.Errorf("pod interface %s: %w", name, err)
	}
	obs := podplan.Observed{Name: name, MAC: link.Attrs().HardwareAddr, MTU: link.Attrs().MTU}
	addrs, err := netlink.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		return obs, fmt.Errorf("list addresses of %s: %w", name, err)
	}
	for _, a := range addrs {
		if p, ok := prefixOf(a.IPNet); ok {
			obs.Addrs = append(obs.Addrs, p)
		}
	}
	routes, err := netlink.RouteList(link, netlink.FAMILY_V4)
	if err != nil {
		return obs, fmt.Errorf("list routes of %s: %w", name, err)
	}
	for _, r := range routes {
		var route podplan.Route
		if r.Dst != nil {
			route.Dst, _ = prefixOf(r.Dst)
		}
		if gw, ok := netip.AddrFromSlice(r.Gw); ok {
			route.Gateway = gw.Unmap()
		}
		obs.Routes = append(obs.Routes, route)
	}
	return obs, nil
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// apply makes the namespace match the plan; every step first looks at what
// is there, so applying twice changes nothing.
func apply(nsFD int, p *podplan.Plan, owner Owner) error {
	br, err := ensureBridge(p)
	if err != nil {
		return err
	}
	var ports []netlink.Link
	if p.Binding == podplan.Bridge {
		pod, err := movePodInterface(p)
		if err != nil {
			return err
		}
		ports = append(ports, pod)
	}
	tap, err := ensureTap(p, owner)
	if err != nil {
		return err
	}
	ports = append(ports, tap)
	for _, l := range ports {
		if l.Attrs().MasterIndex != br.Attrs().Index {
			if err := netlink.LinkSetMaster(l, br); err != nil {
				return fmt.Errorf("attach %s to %s: %w", l.Attrs().Name, p.Bridge, err)
			}
		}
	}
	for _, l := range append(ports, br) {
		if err := netlink.LinkSetUp(l); err != nil {
			return fmt.Errorf("set %s up: %w", l.Attrs().Name, err)
		}
	}
	// The launcher's DHCP responder binds UDP 67 without any capability.
	if err := lowerSysctl("net/ipv4/ip_unprivileged_port_start", 67); err != nil {
		return err
	}
	if p.Binding != podplan.Masquerade {
		return nil
	}
	if err := writeSysctl("net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	return applyNAT(nsFD, p.NAT)
}

func ensureBridge(p *podplan.Plan) (netlink.Link, error) {
	br, err := netlink.LinkByName(p.Bridge)
	if notFound(err) {
		attrs := netlink.LinkAttrs{Name: p.Bridge}
		if p.MTU > 0 {
			attrs.MTU = p.MTU
		}
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return nil, fmt.Errorf("create bridge %s: %w", p.Bridge, err)
		}
		br, err = netlink.LinkByName(p.Bridge)
	}
	if err != nil {
		return nil, fmt.Errorf("find bridge %s: %w", p.Bridge, err)
	}
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: ipNet(p.BridgeAddr)}); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("address bridge %s: %w", p.Bridge, err)
	}
	return br, nil
}

// movePodInterface (bridge binding) takes the guest's address off the pod
// interface and gives it the spare MAC when the guest took its own.
func movePodInterface(p *podplan.Plan) (netlink.Link, error) {
	pod, err := netlink.LinkByName(p.PodInterface)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", p.PodInterface, err)
	}
	if p.MoveAddr.IsValid() {
		err := netlink.AddrDel(pod, &netlink.Addr{IPNet: ipNet(p.MoveAddr)})
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			return nil, fmt.Errorf("remove %s from %s: %w", p.MoveAddr, p.PodInterface, err)
		}
	}
	if p.PodMAC != "" && pod.Attrs().HardwareAddr.String() != p.PodMAC {
		mac, err := net.ParseMAC(p.PodMAC)
		if err != nil {
			return nil, fmt.Errorf("pod MAC %q: %w", p.PodMAC, err)
		}
		if err := netlink.LinkSetDown(pod); err != nil {
			return nil, fmt.Errorf("set %s down: %w", p.PodInterface, err)
		}
		if err := netlink.LinkSetHardwareAddr(pod, mac); err != nil {
			return nil, fmt.Errorf("change MAC of %s: %w", p.PodInterface, err)
		}
	}
	return pod, nil
}

// ensureTap creates a persistent, single-queue tap owned by the launcher's
// user, so that QEMU running as that user may attach to it.
func ensureTap(p *podplan.Plan, owner Owner) (netlink.Link, error) {
	tap, err := netlink.LinkByName(p.Tap)
	if notFound(err) {
		attrs := netlink.LinkAttrs{Name: p.Tap}
		if p.MTU > 0 {
			attrs.MTU = p.MTU
		}
		err = netlink.LinkAdd(&netlink.Tuntap{LinkAttrs: attrs, Mode: netlink.TUNTAP_MODE_TAP,
			Flags: netlink.TUNTAP_NO_PI | netlink.TUNTAP_VNET_HDR, Owner: owner.UID, Group: owner.GID})
		if err != nil {
			return nil, fmt.Errorf("create tap %s: %w", p.Tap, err)
		}
		tap, err = netlink.LinkByName(p.Tap)
	}
	if err != nil {
		return nil, fmt.Errorf("find tap %s: %w", p.Tap, err)
	}
	// Its owner is not checked: netlink reads it from sysfs, which shows
	// virt-handler's namespace, not this one.
	if _, ok := tap.(*netlink.Tuntap); !ok {
		return nil, fmt.Errorf("%s exists and is not a tap", p.Tap)
	}
	return tap, nil
}

func notFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}

// writeSysctl sets a sysctl of the current thread's network namespace.
func writeSysctl(name, value string) error {
	if err := os.WriteFile("/proc/sys/"+name, []byte(value), 0o644); err != nil {
		return fmt.Errorf("set %s: %w", strings.ReplaceAll(name, "/", "."), err)
	}
	return nil
}

// lowerSysctl sets a numeric sysctl to value unless it is already lower.
func lowerSysctl(name string, value int) error {
	raw, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return fmt.Errorf("read %s: %w", strings.ReplaceAll(name, "/", "."), err)
	}
	if cur, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && cur <= value {
		return nil
	}
	return writeSysctl(name, strconv.Itoa(value))
}

// randomMAC is a locally administered unicast MAC.
func randomMAC() net.HardwareAddr {
	mac := make(net.HardwareAddr, 6)
	_, _ = rand.Read(mac)
	mac[0] = (mac[0] | 0x02) &^ 0x01
	return mac
}
