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

// Ensure builds the VMI's pod network binding in the network namespace at
// nsPath and returns its plan (nil when the VMI has no pod network binding).
// stored is the plan an earlier run decided (and may have half applied): it
// is applied again as is. Otherwise a plan is made from the pod interface as
// observed and handed to save before anything changes, so that a restart
// finds it even once the pod address has moved to the guest.
func Ensure(nsPath string, vmi *virtv1.VirtualMachineInstance, stored *podplan.Plan, owner Owner,
	save func(*podplan.Plan) error) (*podplan.Plan, error) {
	iface, _ := podplan.PodInterfaceOf(vmi)
	if iface == nil {
		return nil, nil
	}
	var plan *podplan.Plan
	err := inNetNS(nsPath, func(nsFD int) error {
		plan = stored
		if plan == nil || plan.Interface != iface.Name {
			obs, err := observe(podplan.PodInterface)
			if err != nil {
				return err
			}
			if plan, err = podplan.For(vmi, obs, randomMAC()); err != nil {
				return err
			}
			if err := save(plan); err != nil {
				return fmt.Errorf("record pod network plan: %w", err)
			}
		}
		return apply(nsFD, plan, owner)
	})
	return plan, err
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
