package nodeapi

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
	"strings"
	"testing"
	"time"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// guests serves one VMI, default/vm, whose guest is at addr.
type guests struct{ addr netip.Addr }

func (guests) LauncherFor(context.Context, string, string) (launcherv1.LauncherClient, error) {
	return nil, errors.New("not used")
}

func (g guests) GuestEndpoint(_ context.Context, ns, name string) (GuestEndpoint, error) {
	switch {
	case ns == "default" && name == "vm":
		return GuestEndpoint{NetNS: "/proc/self/ns/net", Addr: g.addr}, nil
	case name == "nopod":
		return GuestEndpoint{}, ErrNoGuestAddress
	}
	return GuestEndpoint{}, ErrNotHere
}

// openPortForward asks api for the stream and returns the connection after
// the answer's head, with the status code.
func openPortForward(t *testing.T, api, path string) (net.Conn, *bufio.Reader, int) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(api, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", path, PortForwardUpgrade)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn, br, resp.StatusCode
}

// TestPortForward: the stream reaches the endpoint's address at the asked
// port only, bytes go both ways, and refusals are plain HTTP answers.
func TestPortForward(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer func() { _ = c.Close() }(); _, _ = io.Copy(c, c) }()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	_ = closed.Close()
	var dialed []string
	dial := func(ctx context.Context, ep GuestEndpoint, p uint16) (net.Conn, error) {
		dialed = append(dialed, netip.AddrPortFrom(ep.Addr, p).String())
		var d net.Dialer
		return d.DialContext(ctx, "tcp", netip.AddrPortFrom(ep.Addr, p).String())
	}
	api := httptest.NewServer(handler(guests{netip.MustParseAddr("127.0.0.1")}, dial))
	defer api.Close()
	base := "/v1/namespaces/default/virtualmachineinstances/"
	conn, br, code := openPortForward(t, api.URL, fmt.Sprintf("%svm/portforward/%d/tcp", base, port))
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open: %d", code)
	}
	if _, err := conn.Write([]byte("hello guest\n")); err != nil {
		t.Fatal(err)
	}
	line, err := br.ReadString('\n')
	if err != nil || line != "hello guest\n" {
		t.Fatalf("echo: %q, %v", line, err)
	}
	if want := fmt.Sprintf("127.0.0.1:%d", port); len(dialed) == 0 || dialed[0] != want {
		t.Errorf("dialed %v, want [%s]", dialed, want)
	}
	for path, want := range map[string]int{
		base + "vm/portforward/0/tcp":                            http.StatusBadRequest,
		base + "vm/portforward/22/udp":                           http.StatusBadRequest,
		base + "other/portforward/22/tcp":                        http.StatusNotFound,
		base + "nopod/portforward/22/tcp":                        http.StatusBadRequest,
		fmt.Sprintf("%svm/portforward/%d/tcp", base, closedPort): http.StatusBadGateway,
	} {
		if _, _, code := openPortForward(t, api.URL, path); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
}
