package node

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-api/subresources"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/rfb"
)

// TestHandlerVNC: the display of a running VMI through virt-handler's node API
// and through the apiserver and virt-api: an independent RFB client completes
// the handshake and receives a framebuffer update with content; one viewer at
// a time (preserveSession refuses, a plain viewer takes over); the screenshot
// is a PNG of the guest's screen.
func TestHandlerVNC(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	c.startVirtAPI(t)
	vmi := kernelBootVMI("vnc")
	// Kernel messages on the VGA console too, so the screen shows text.
	vmi.Spec.Domain.Firmware.KernelBoot.KernelArgs = "console=tty0 console=ttyS0 panic=-1"
	// A USB tablet, as viewers want for an absolute pointer: libvirt must accept it.
	vmi.Spec.Domain.Devices.Inputs = []virtv1.Input{{Name: "tablet0", Type: "tablet"}}
	vmi = c.createScheduled(t, vmi)
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: nodeenv.ShortTempDir(t), KernelBootDir: env.GuestDir})
	l.Console(t).WaitFor(t, 120*time.Second, bootMarker)
	c.waitForVMI(t, vmi, 60*time.Second, "Running", phaseIs(virtv1.Running))

	first, resp := c.nodeAPIVNC(t, vmi, "")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("vnc through the node api: %s", resp.Status)
	}
	start := time.Now()
	update := rfbUpdate(t, "node api", first)
	t.Logf("FIGURE VNC handshake + first full framebuffer update through the node API: %s (%d rects)",
		time.Since(start).Round(time.Millisecond), len(update.Rects))

	if _, resp := c.nodeAPIVNC(t, vmi, "?preserveSession=true"); resp.StatusCode != http.StatusConflict {
		t.Errorf("preserving viewer while one is connected: %s, want 409", resp.Status)
	}
	second, resp := c.nodeAPIVNC(t, vmi, "")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("second viewer: %s", resp.Status)
	}
	_ = first.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, first); err != nil {
		t.Errorf("first viewer after a takeover: %v, want the stream to end", err)
	}
	rfbUpdate(t, "second viewer", second)
	_ = second.Close()

	img := c.nodeAPIScreenshot(t, vmi)
	t.Logf("screenshot through the node API: %v", img.Bounds())
	vncViaVirtAPI(t, c, vmi)
}

// viewerConn is an upgraded node API stream: reads come from the buffered
// reader that consumed the HTTP answer.
type viewerConn struct {
	net.Conn
	r *bufio.Reader
}

func (v viewerConn) Read(p []byte) (int, error) { return v.r.Read(p) }

// nodeAPIVNC asks virt-handler for the VNC stream as virt-api does.
func (c *cluster) nodeAPIVNC(t *testing.T, vmi *virtv1.VirtualMachineInstance, query string) (net.Conn, *http.Response) {
	t.Helper()
	conn, err := tls.Dial("tcp", c.apiAddr, c.tlsConfig(t))
	if err != nil {
		t.Fatalf("dial node api: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "GET /v1/namespaces/%s/virtualmachineinstances/%s/vnc%s HTTP/1.1\r\nHost: node\r\n"+
		"Connection: Upgrade\r\nUpgrade: kvirt-vnc\r\n\r\n", vmi.Namespace, vmi.Name, query)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read node api vnc answer: %v", err)
	}
	return viewerConn{Conn: conn, r: br}, resp
}

// rfbUpdate completes the RFB handshake on rw and reads a full-screen update,
// retrying until it shows more than a black screen.
func rfbUpdate(t *testing.T, via string, rw io.ReadWriter) rfb.Update {
	t.Helper()
	client, err := rfb.Handshake(rw)
	if err != nil {
		t.Fatalf("RFB handshake via %s: %v", via, err)
	}
	if client.Width == 0 || client.Height == 0 || client.BitsPerPixel == 0 {
		t.Fatalf("ServerInit via %s: %+v", via, client)
	}
	var u rfb.Update
	nodeenv.WaitFor(t, 60*time.Second, "a framebuffer update with content via "+via, func() (bool, string) {
		if err := client.RequestUpdate(); err != nil {
			t.Fatal(err)
		}
		if u, err = client.ReadUpdate(); err != nil {
			t.Fatalf("framebuffer update via %s: %v", via, err)
		}
		return len(u.Rects) > 0 && u.NonZero(), fmt.Sprintf("%d rects", len(u.Rects))
	})
	return u
}

// checkScreenshot decodes a PNG and requires more than one colour on it.
func checkScreenshot(t *testing.T, via string, raw []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("screenshot via %s is no PNG: %v (%d bytes)", via, err, len(raw))
	}
	b := img.Bounds()
	if b.Dx() < 320 || b.Dy() < 200 {
		t.Fatalf("screenshot via %s is %v", via, b)
	}
	colours := map[[4]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y && len(colours) < 2; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 2 {
		t.Errorf("screenshot via %s has one colour only", via)
	}
	return img
}

func (c *cluster) nodeAPIScreenshot(t *testing.T, vmi *virtv1.VirtualMachineInstance) image.Image {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: c.tlsConfig(t)}}
	resp, err := client.Get(fmt.Sprintf("https://%s/v1/namespaces/%s/virtualmachineinstances/%s/vnc/screenshot?moveCursor=true",
		c.apiAddr, vmi.Namespace, vmi.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("screenshot through the node api: %s %s %q", resp.Status, resp.Header.Get("Content-Type"), raw)
	}
	return checkScreenshot(t, "node api", raw)
}

// vncViaVirtAPI opens the display as upstream's virtctl does (a websocket to
// the apiserver with plain.kubevirt.io) and takes the screenshot there too.
func vncViaVirtAPI(t *testing.T, c *cluster, vmi *virtv1.VirtualMachineInstance) {
	t.Helper()
	cfg := cp.RESTConfig()
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	if cfg.BearerToken != "" {
		header.Set("Authorization", "Bearer "+cfg.BearerToken)
	}
	path := fmt.Sprintf("%s/namespaces/%s/virtualmachineinstances/%s/vnc", subresourcePrefix, vmi.Namespace, vmi.Name)
	url := strings.Replace(strings.TrimSuffix(cfg.Host, "/"), "https://", "wss://", 1) + path
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{subresources.VNCSubprotocol},
		HandshakeTimeout: 30 * time.Second}
	ws, resp, err := d.Dial(url, header)
	if err != nil {
		t.Fatalf("vnc websocket through the apiserver: %v (%v)", err, resp)
	}
	defer func() { _ = ws.Close() }()
	if got := ws.Subprotocol(); got != subresources.VNCSubprotocol {
		t.Errorf("vnc subprotocol %q", got)
	}
	_ = ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	rfbUpdate(t, "virt-api", rfb.WebsocketStream(ws))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := c.kube.Discovery().RESTClient().Get().AbsPath(path + "/screenshot").Do(ctx).Raw()
	if err != nil {
		t.Fatalf("screenshot through virt-api: %v", err)
	}
	checkScreenshot(t, "virt-api", raw)
}
