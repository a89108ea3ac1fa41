package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/util/rand"

	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// podNetNS creates a network namespace standing in for a launcher pod's,
// with lo and eth0 (one end of a veth pair whose both ends live in it)
// holding addr/24, configured entirely inside it: nothing is added to the
// node's own namespace. It is deleted when the test ends.
func podNetNS(t *testing.T, addr string) string {
	t.Helper()
	name := "kvpf-" + rand.String(6)
	steps := [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer"},
		{"-n", name, "link", "set", "eth0-peer", "up"},
		{"-n", name, "addr", "add", addr + "/24", "dev", "eth0"},
		{"-n", name, "link", "set", "eth0", "up"},
	}
	for i, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if i == 0 {
			t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
		}
	}
	return "/run/netns/" + name
}

// listenIn listens on 0.0.0.0:0 inside the namespace at path and answers
// every connection with greeting; it returns the port.
func listenIn(t *testing.T, path, greeting string) int {
	t.Helper()
	type res struct {
		ln  net.Listener
		err error
	}
	done := make(chan res, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		f, err := os.Open(path)
		if err == nil {
			err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
			_ = f.Close()
		}
		if err != nil {
			done <- res{err: err}
			return
		}
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		done <- res{ln, err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("listen in %s: %v", path, r.err)
	}
	t.Cleanup(func() { _ = r.ln.Close() })
	go func() {
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				line, _ := bufio.NewReader(c).ReadString('\n')
				_, _ = fmt.Fprintf(c, "%s %s", greeting, line)
			}()
		}
	}()
	return r.ln.Addr().(*net.TCPAddr).Port
}

// podGuests serves port-forward for default/vm at ep.
type podGuests struct{ ep nodeapi.GuestEndpoint }

func (podGuests) LauncherFor(context.Context, string, string) (launcherv1.LauncherClient, error) {
	return nil, errors.New("no launcher in this test")
}

func (g podGuests) GuestEndpoint(_ context.Context, ns, name string) (nodeapi.GuestEndpoint, error) {
	if ns == "default" && name == "vm" {
		return g.ep, nil
	}
	return nodeapi.GuestEndpoint{}, nodeapi.ErrNotHere
}

// forward opens the node API's port-forward to port and exchanges one line.
func forward(t *testing.T, api string, port int, line string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(api, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "GET /v1/namespaces/default/virtualmachineinstances/vm/portforward/%d/tcp HTTP/1.1\r\n"+
		"Host: x\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", port, nodeapi.PortForwardUpgrade)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if _, err := fmt.Fprintln(conn, line); err != nil {
		t.Fatal(err)
	}
	got, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read through the port-forward: %q, %v", got, err)
	}
	return resp.StatusCode, got
}

// TestNodeAPIPortForwardInPodNetNS: virt-handler's port-forward dials the
// guest address inside the pod's network namespace (with the production
// dialer, which enters the namespace only for the dial): a server there is
// reached, both at the "guest" address and at the namespace's own loopback,
// while a server on the node's loopback is not reachable through it.
func TestNodeAPIPortForwardInPodNetNS(t *testing.T) {
	nodeenv.Get(t)
	const guestAddr = "192.168.81.2"
	path := podNetNS(t, guestAddr)
	port := listenIn(t, path, "guest-says")

	api := httptest.NewServer(nodeapi.Handler(podGuests{nodeapi.GuestEndpoint{NetNS: path, Addr: netip.MustParseAddr(guestAddr)}}))
	defer api.Close()
	if code, got := forward(t, api.URL, port, "hello"); code != http.StatusSwitchingProtocols || got != "guest-says hello\n" {
		t.Fatalf("port-forward to the pod's guest: %d %q", code, got)
	}

	// The node's own loopback: a listener there must not be what 127.0.0.1
	// means to a port-forward of the pod.
	hostLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hostLn.Close() }()
	go func() {
		for {
			c, err := hostLn.Accept()
			if err != nil {
				return
			}
			_, _ = fmt.Fprintln(c, "node-loopback")
			_ = c.Close()
		}
	}()
	hostPort := hostLn.Addr().(*net.TCPAddr).Port
	loop := httptest.NewServer(nodeapi.Handler(podGuests{nodeapi.GuestEndpoint{NetNS: path, Addr: netip.MustParseAddr("127.0.0.1")}}))
	defer loop.Close()
	if code, got := forward(t, loop.URL, port, "again"); code != http.StatusSwitchingProtocols || got != "guest-says again\n" {
		t.Errorf("port-forward to the pod's loopback: %d %q", code, got)
	}
	if code, got := forward(t, loop.URL, hostPort, "leak?"); code != http.StatusBadGateway {
		t.Errorf("port-forward reached the node's loopback port %d: %d %q", hostPort, code, got)
	}
}
