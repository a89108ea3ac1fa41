package podnet

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// ResolvConf is where the pod's DNS configuration is.
const ResolvConf = "/etc/resolv.conf"

// Route is an IPv4 route offered by option 121.
type Route struct {
	Dst     *net.IPNet
	Gateway net.IP
}

// Responder answers DHCP on the pod interfaces virt-handler built; its
// responders run until its context ends.
type Responder struct {
	ctx        context.Context
	resolvConf string
	wg         sync.WaitGroup
}

// NewResponder returns a Responder whose responders end with ctx.
func NewResponder(ctx context.Context) *Responder {
	return &Responder{ctx: ctx, resolvConf: ResolvConf}
}

// Wait returns once every responder has stopped.
func (r *Responder) Wait() { r.wg.Wait() }

// Serve starts a DHCP responder for each pod interface that has a lease.
func (r *Responder) Serve(vmi *virtv1.VirtualMachineInstance, ifaces []*launcherv1.PodInterface) error {
	dns, search := resolvConf(r.resolvConf)
	for _, pi := range ifaces {
		start := time.Now()
		lease, err := LeaseFor(pi, dns, search, Hostname(vmi))
		if err != nil {
			return err
		}
		if lease.IP == nil {
			continue
		}
		conn, err := listenDHCP(pi.DhcpDevice)
		if err != nil {
			return err
		}
		r.wg.Add(2)
		go func() { defer r.wg.Done(); <-r.ctx.Done(); _ = conn.Close() }()
		go func() { defer r.wg.Done(); serve(r.ctx, conn, lease) }()
		klog.FromContext(r.ctx).Info("pod network DHCP ready", "interface", pi.Name, "binding", pi.Binding,
			"device", pi.DhcpDevice, "tap", pi.Tap, "mac", pi.Mac, "guest", pi.GuestCidr, "router", pi.Router,
			"took", time.Since(start))
	}
	return nil
}

// Hostname is the guest's hostname: spec.hostname, else the VMI's name.
func Hostname(vmi *virtv1.VirtualMachineInstance) string {
	if vmi.Spec.Hostname != "" {
		return vmi.Spec.Hostname
	}
	return vmi.Name
}

// LeaseFor is the lease of a pod interface; its IP is nil when the interface
// has no guest address to offer.
func LeaseFor(pi *launcherv1.PodInterface, dns []net.IP, search []string, hostname string) (Lease, error) {
	l := Lease{MTU: int(pi.Mtu), DNS: dns, Search: search, Hostname: hostname, Seconds: defaultLeaseSeconds}
	mac, err := net.ParseMAC(pi.Mac)
	if err != nil {
		return l, fmt.Errorf("interface %s: MAC %q: %w", pi.Name, pi.Mac, err)
	}
	l.MAC = mac
	if l.ServerID = net.ParseIP(pi.ServerIp).To4(); l.ServerID == nil {
		return l, fmt.Errorf("interface %s: DHCP server address %q", pi.Name, pi.ServerIp)
	}
	if pi.GuestCidr == "" {
		return l, nil
	}
	guest, err := netip.ParsePrefix(pi.GuestCidr)
	if err != nil || !guest.Addr().Is4() {
		return l, fmt.Errorf("interface %s: guest address %q", pi.Name, pi.GuestCidr)
	}
	l.IP, l.Mask = net.IP(guest.Addr().AsSlice()), net.CIDRMask(guest.Bits(), 32)
	l.Router = net.ParseIP(pi.Router).To4()
	for _, r := range pi.Routes {
		_, dst, err := net.ParseCIDR(r.Dst)
		gw := net.ParseIP(r.Gateway).To4()
		if err != nil || gw == nil || dst.IP.To4() == nil {
			return l, fmt.Errorf("interface %s: route %s via %s", pi.Name, r.Dst, r.Gateway)
		}
		l.Routes = append(l.Routes, Route{Dst: &net.IPNet{IP: dst.IP.To4(), Mask: dst.Mask}, Gateway: gw})
	}
	return l, nil
}

// listenDHCP opens UDP port 67 on the device only.
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
// the guest has no address yet.
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

// resolvConf reads the IPv4 nameservers and the search domains of a
// resolv.conf; none if unreadable.
func resolvConf(path string) (dns []net.IP, search []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "nameserver":
			if ip := net.ParseIP(f[1]).To4(); ip != nil {
				dns = append(dns, ip)
			}
		case len(f) >= 2 && (f[0] == "search" || f[0] == "domain"):
			search = f[1:]
		}
	}
	return dns, search
}
