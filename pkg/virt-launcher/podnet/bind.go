package podnet

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
)

// Bound is the result of binding one VMI interface.
type Bound struct {
	// Interface is the VMI interface name.
	Interface string
	Tap       string
	MAC       string
	// Addresses are the guest's addresses (the pod's former ones).
	Addresses []string
}

// Binder sets up bridge bindings in the current network namespace; the DHCP
// responders it starts run until its context ends.
type Binder struct {
	ctx context.Context
	wg  sync.WaitGroup
}

// NewBinder returns a Binder whose responders end with ctx.
func NewBinder(ctx context.Context) *Binder { return &Binder{ctx: ctx} }

// Wait returns once every responder has stopped.
func (b *Binder) Wait() { b.wg.Wait() }

// Bind sets up the VMI's bridge interface on the pod network, if it has one
// (nil otherwise), and starts its DHCP responder.
func (b *Binder) Bind(vmi *virtv1.VirtualMachineInstance) (*Bound, error) {
	iface := BridgeInterface(vmi)
	if iface == nil {
		return nil, nil
	}
	start := time.Now()
	obs, err := observe(PodInterface)
	if err != nil {
		return nil, err
	}
	d, err := Plan(iface, obs, randomMAC())
	if err != nil {
		return nil, err
	}
	if err := apply(d); err != nil {
		return nil, fmt.Errorf("bridge binding of interface %s: %w", iface.Name, err)
	}
	conn, err := listenDHCP(d.Bridge)
	if err != nil {
		return nil, err
	}
	lease := d.Lease(nameservers("/etc/resolv.conf"))
	b.wg.Add(2)
	go func() { defer b.wg.Done(); <-b.ctx.Done(); _ = conn.Close() }()
	go func() { defer b.wg.Done(); serve(b.ctx, conn, lease) }()
	out := &Bound{Interface: iface.Name, Tap: d.Tap, MAC: d.GuestMAC.String()}
	if d.GuestAddr != nil {
		out.Addresses = []string{d.GuestAddr.IP.String()}
	}
	klog.FromContext(b.ctx).Info("bridge binding ready", "interface", iface.Name, "bridge", d.Bridge,
		"tap", d.Tap, "mac", out.MAC, "addresses", out.Addresses, "gateway", d.Gateway, "took", time.Since(start))
	return out, nil
}

func observe(name string) (Observed, error) {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return Observed{}, fmt.Errorf("pod interface %s: %w", name, err)
	}
	obs := Observed{Name: name, MAC: link.Attrs().HardwareAddr, MTU: link.Attrs().MTU}
	addrs, err := netlink.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return obs, fmt.Errorf("list addresses of %s: %w", name, err)
	}
	for _, a := range addrs {
		obs.Addrs = append(obs.Addrs, a.IPNet)
	}
	routes, err := netlink.RouteList(link, netlink.FAMILY_V4)
	if err != nil {
		return obs, fmt.Errorf("list routes of %s: %w", name, err)
	}
	for _, r := range routes {
		obs.Routes = append(obs.Routes, Route{Dst: r.Dst, Gateway: r.Gw})
	}
	return obs, nil
}

// apply creates the bridge and the tap and moves the pod interface onto the
// bridge, leaving its address to the guest.
func apply(d *Desired) error {
	pod, err := netlink.LinkByName(d.PodInterface)
	if err != nil {
		return fmt.Errorf("find %s: %w", d.PodInterface, err)
	}
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: d.Bridge, MTU: d.MTU}}
	if err := netlink.LinkAdd(br); err != nil {
		return fmt.Errorf("create bridge %s: %w", d.Bridge, err)
	}
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: &d.BridgeAddr}); err != nil {
		return fmt.Errorf("address bridge %s: %w", d.Bridge, err)
	}
	if d.GuestAddr != nil {
		if err := netlink.AddrDel(pod, &netlink.Addr{IPNet: d.GuestAddr}); err != nil {
			return fmt.Errorf("remove %s from %s: %w", d.GuestAddr, d.PodInterface, err)
		}
	}
	if err := netlink.LinkSetDown(pod); err != nil {
		return fmt.Errorf("set %s down: %w", d.PodInterface, err)
	}
	if d.PodMAC != nil {
		if err := netlink.LinkSetHardwareAddr(pod, d.PodMAC); err != nil {
			return fmt.Errorf("change MAC of %s: %w", d.PodInterface, err)
		}
	}
	tap := &netlink.Tuntap{LinkAttrs: netlink.LinkAttrs{Name: d.Tap, MTU: d.MTU},
		Mode: netlink.TUNTAP_MODE_TAP, Flags: netlink.TUNTAP_NO_PI | netlink.TUNTAP_VNET_HDR}
	if err := netlink.LinkAdd(tap); err != nil {
		return fmt.Errorf("create tap %s: %w", d.Tap, err)
	}
	for _, l := range []netlink.Link{pod, tap} {
		if err := netlink.LinkSetMaster(l, br); err != nil {
			return fmt.Errorf("attach %s to %s: %w", l.Attrs().Name, d.Bridge, err)
		}
	}
	for _, l := range []netlink.Link{pod, tap, br} {
		if err := netlink.LinkSetUp(l); err != nil {
			return fmt.Errorf("set %s up: %w", l.Attrs().Name, err)
		}
	}
	return nil
}

// listenDHCP opens UDP port 67 on the bridge only.
func listenDHCP(dev string) (net.PacketConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			for _, o := range []int{unix.SO_REUSEADDR, unix.SO_BROADCAST} {
				if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o, 1); serr != nil {
					return
				}
			}
			serr = unix.BindToDevice(int(fd), dev)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:67")
	if err != nil {
		return nil, fmt.Errorf("listen for DHCP on %s: %w", dev, err)
	}
	return conn, nil
}

// serve answers DHCP requests until conn is closed. Replies are broadcast:
// the guest has no address yet, and the pod has none left to route by.
func serve(ctx context.Context, conn net.PacketConn, lease Lease) {
	log := klog.FromContext(ctx)
	dst := &net.UDPAddr{IP: net.IPv4bcast, Port: 68}
	buf := make([]byte, 1500)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		reply, err := Reply(buf[:n], lease)
		if err != nil || reply == nil {
			continue
		}
		if _, err := conn.WriteTo(reply, dst); err != nil {
			log.Error(err, "send DHCP reply")
			continue
		}
		log.V(2).Info("DHCP reply sent", "mac", lease.MAC.String(), "ip", lease.IP.String())
	}
}

// nameservers reads the IPv4 nameservers of a resolv.conf; none if unreadable.
func nameservers(path string) []net.IP {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []net.IP
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "nameserver" {
			if ip := net.ParseIP(f[1]).To4(); ip != nil {
				out = append(out, ip)
			}
		}
	}
	return out
}

// randomMAC is a locally administered unicast MAC.
func randomMAC() net.HardwareAddr {
	mac := make(net.HardwareAddr, 6)
	_, _ = rand.Read(mac)
	mac[0] = (mac[0] | 0x02) &^ 0x01
	return mac
}
