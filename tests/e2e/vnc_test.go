package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
	"kvirt.io/kvirt/tests/framework/rfb"
)

// TestVNCThroughVirtctl: on the operator-installed cluster, `virtctl vnc
// --proxy-only` prints its port as upstream's does ({"port":N}), and an RFB
// client written apart from kvirt's code completes the handshake through it
// (virtctl -> apiserver -> virt-api -> virt-handler -> launcher -> QEMU) and
// receives a framebuffer update with content; `virtctl vnc screenshot` writes
// a PNG of the guest's screen (SeaBIOS and SYSLINUX leave text on it).
func TestVNCThroughVirtctl(t *testing.T) {
	ns := newNamespace(t)
	runningVM(t, ns)

	proxy := exec.CommandContext(ctx(t), e.virtctl, "--kubeconfig", e.kubeconfig, "-n", ns, "vnc", "testvm", "--proxy-only")
	stdout, err := proxy.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	proxy.Stderr = &stderr
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Process.Kill(); _ = proxy.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	var printed struct {
		Port int `json:"port"`
	}
	if err != nil || json.Unmarshal([]byte(line), &printed) != nil || printed.Port == 0 {
		t.Fatalf("virtctl vnc --proxy-only printed %q (%v); stderr:\n%s", line, err, stderr.String())
	}
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", printed.Port), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	start := time.Now()
	client, err := rfb.Handshake(conn)
	if err != nil {
		t.Fatalf("RFB handshake through virtctl: %v; virtctl stderr:\n%s", err, stderr.String())
	}
	var update rfb.Update
	poll.Eventually(t, time.Minute, "a framebuffer update with content", func() error {
		if err := client.RequestUpdate(); err != nil {
			return err
		}
		if update, err = client.ReadUpdate(); err != nil {
			t.Fatalf("framebuffer update: %v", err)
		}
		if !update.NonZero() {
			return fmt.Errorf("%d rects, all black", len(update.Rects))
		}
		return nil
	})
	t.Logf("FIGURE VNC through virtctl: handshake and first full update of %dx%d in %s", client.Width, client.Height,
		time.Since(start).Round(time.Millisecond))

	file := filepath.Join(t.TempDir(), "screen.png")
	out, err := exec.CommandContext(ctx(t), e.virtctl, "--kubeconfig", e.kubeconfig, "-n", ns, "vnc", "screenshot",
		"testvm", "--file", file).CombinedOutput()
	if err != nil {
		t.Fatalf("virtctl vnc screenshot: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("screenshot is no PNG: %v", err)
	}
	b := img.Bounds()
	colours := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r<<16^g<<8^bl] = true
		}
	}
	if b.Dx() < 320 || b.Dy() < 200 || len(colours) < 2 {
		t.Errorf("screenshot %v with %d colours, want the guest's screen", b, len(colours))
	}
	if strings.Contains(stderr.String(), "error") {
		t.Logf("virtctl vnc stderr:\n%s", stderr.String())
	}
}
