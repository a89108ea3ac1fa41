package nodeenv

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/rand"

	"kvirt.io/kvirt/pkg/netnsdial"
)

// NetNS is a network namespace standing in for a launcher pod's network.
type NetNS struct {
	Name string
	// Addr is the "pod IP" configured inside it.
	Addr string
}

// NewNetNS creates a named network namespace with lo and a veth eth0 holding
// addr/24; it (and the veth pair) is deleted when the test ends.
func NewNetNS(t testing.TB, addr string) NetNS {
	t.Helper()
	suffix := rand.String(6)
	ns := NetNS{Name: "kvn-" + suffix, Addr: addr}
	// A veth pair like a CNI plugin's: eth0 inside, kvh-<suffix> on the host.
	steps := [][]string{
		{"netns", "add", ns.Name},
		{"-n", ns.Name, "link", "set", "lo", "up"},
		{"link", "add", "kvh-" + suffix, "type", "veth", "peer", "name", "eth0", "netns", ns.Name},
		{"link", "set", "kvh-" + suffix, "up"},
		{"-n", ns.Name, "addr", "add", addr + "/24", "dev", "eth0"},
		{"-n", ns.Name, "link", "set", "eth0", "up"},
	}
	ns.create(t, steps)
	return ns
}

// NewPrivateNetNS creates a named network namespace whose eth0 holds addr/24
// and is one end of a veth pair whose other end (peer0) stays in the same
// namespace: a pod network nothing else reaches, made without touching the
// host's namespace. It is deleted when the test ends.
func NewPrivateNetNS(t testing.TB, addr string) NetNS {
	t.Helper()
	ns := NetNS{Name: "kvl-" + rand.String(6), Addr: addr}
	steps := [][]string{
		{"netns", "add", ns.Name},
		{"-n", ns.Name, "link", "set", "lo", "up"},
		{"-n", ns.Name, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"},
		{"-n", ns.Name, "link", "set", "peer0", "up"},
		{"-n", ns.Name, "addr", "add", addr + "/24", "dev", "eth0"},
		{"-n", ns.Name, "link", "set", "eth0", "up"},
	}
	ns.create(t, steps)
	return ns
}

// create runs the ip(8) steps that make ns, the first of which adds it; the
// namespace is deleted when the test ends.
func (ns NetNS) create(t testing.TB, steps [][]string) {
	t.Helper()
	for i, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if i == 0 {
			t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns.Name).Run() })
		}
	}
}

// Exec runs a command inside the namespace and returns its combined output.
func (ns NetNS) Exec(name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...).CombinedOutput()
	return string(out), err
}

// Path is the namespace's bind mount.
func (ns NetNS) Path() string { return filepath.Join("/run/netns", ns.Name) }

// ServeHTTP listens on 0.0.0.0:0 inside the namespace (only reachable from it)
// and answers every request with body; it returns the port.
func (ns NetNS) ServeHTTP(t testing.TB, body string) int {
	t.Helper()
	ln, err := ns.listen("0.0.0.0:0")
	if err != nil {
		t.Fatalf("listen in %s: %v", ns.Name, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, body)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// Listen listens on addr (TCP) inside the namespace until the test ends.
func (ns NetNS) Listen(t testing.TB, addr string) net.Listener {
	t.Helper()
	ln, err := ns.listen(addr)
	if err != nil {
		t.Fatalf("listen on %s in %s: %v", addr, ns.Name, err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}

// listen creates the socket inside the namespace (netnsdial.ListenTCP, as
// virt-handler's migration relay does).
func (ns NetNS) listen(addr string) (net.Listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, err
	}
	return netnsdial.ListenTCP(ns.Path(), ap)
}

// NewRoutedNetNS creates a pod network namespace whose eth0 holds addr/24 and
// routes by default through gw, the other end of a veth pair in a second
// namespace standing in for the node side of the pod network; that one also
// holds extra (a /32 on lo, outside the pod subnet, reached only through the
// default route). Both are deleted when the test ends.
func NewRoutedNetNS(t testing.TB, addr, gw, extra string) (pod, outside NetNS) {
	t.Helper()
	suffix := rand.String(6)
	pod = NetNS{Name: "kvp-" + suffix, Addr: addr}
	outside = NetNS{Name: "kvo-" + suffix, Addr: gw}
	steps := [][]string{
		{"netns", "add", pod.Name},
		{"netns", "add", outside.Name},
		{"-n", pod.Name, "link", "set", "lo", "up"},
		{"-n", outside.Name, "link", "set", "lo", "up"},
		{"link", "add", "kvp-" + suffix, "type", "veth", "peer", "name", "kvo-" + suffix},
		{"link", "set", "kvp-" + suffix, "netns", pod.Name, "name", "eth0"},
		{"link", "set", "kvo-" + suffix, "netns", outside.Name, "name", "gw0"},
		{"-n", outside.Name, "addr", "add", gw + "/24", "dev", "gw0"},
		{"-n", outside.Name, "addr", "add", extra + "/32", "dev", "lo"},
		{"-n", outside.Name, "link", "set", "gw0", "up"},
		{"-n", pod.Name, "addr", "add", addr + "/24", "dev", "eth0"},
		{"-n", pod.Name, "link", "set", "eth0", "up"},
		{"-n", pod.Name, "route", "add", "default", "via", gw, "dev", "eth0"},
	}
	for i, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if i < 2 {
			name := args[2]
			t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
		}
	}
	return pod, outside
}

// MAC is the hardware address of dev inside the namespace.
func (ns NetNS) MAC(t testing.TB, dev string) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns.Name, "cat", "/sys/class/net/"+dev+"/address").CombinedOutput()
	if err != nil {
		t.Fatalf("read MAC of %s in %s: %v: %s", dev, ns.Name, err, out)
	}
	return strings.TrimSpace(string(out))
}

// AddPeerLink adds to ns a veth named dev holding addr/24, as a secondary
// network's CNI plugin would, whose other end (peer0, holding peerAddr/24)
// is in a new namespace standing in for the rest of that network. It is made
// without touching the host's namespace and deleted when the test ends.
func (ns NetNS) AddPeerLink(t testing.TB, dev, addr, peerAddr string) NetNS {
	t.Helper()
	peer := NetNS{Name: "kvs-" + rand.String(6), Addr: peerAddr}
	steps := [][]string{
		{"netns", "add", peer.Name},
		{"-n", peer.Name, "link", "set", "lo", "up"},
		{"-n", ns.Name, "link", "add", dev, "type", "veth", "peer", "name", "peer0", "netns", peer.Name},
		{"-n", ns.Name, "addr", "add", addr + "/24", "dev", dev},
		{"-n", ns.Name, "link", "set", dev, "up"},
		{"-n", peer.Name, "addr", "add", peerAddr + "/24", "dev", "peer0"},
		{"-n", peer.Name, "link", "set", "peer0", "up"},
	}
	peer.create(t, steps)
	return peer
}
