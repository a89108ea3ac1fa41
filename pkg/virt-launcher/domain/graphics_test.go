package domain

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestRenderGraphics(t *testing.T) {
	efi := &virtv1.Firmware{Bootloader: &virtv1.Bootloader{EFI: &virtv1.EFI{SecureBoot: ptr.To(false)}}}
	tests := []struct {
		name    string
		mut     func(*virtv1.VirtualMachineInstance)
		cfg     func(*Config)
		want    []string
		notWant []string
		wantErr string
	}{{
		name: "default: a VNC display on the launcher's socket and a vga card",
		want: []string{`<graphics type="vnc">`, `<listen type="socket" socket="/run/x/vnc">`,
			`<model type="vga" heads="1" vram="16384">`, `<alias name="ua-video0">`},
	}, {
		name: "autoattachGraphicsDevice true is the default",
		mut:  func(v *virtv1.VirtualMachineInstance) { v.Spec.Domain.Devices.AutoattachGraphicsDevice = ptr.To(true) },
		want: []string{`<graphics type="vnc">`, `<model type="vga"`},
	}, {
		name:    "autoattachGraphicsDevice false: no display, no video",
		mut:     func(v *virtv1.VirtualMachineInstance) { v.Spec.Domain.Devices.AutoattachGraphicsDevice = ptr.To(false) },
		cfg:     func(c *Config) { c.VNCSocket = "" },
		notWant: []string{`<graphics`, `<video>`},
	}, {
		name: "EFI gets bochs",
		mut:  func(v *virtv1.VirtualMachineInstance) { v.Spec.Domain.Firmware = efi },
		want: []string{`<model type="bochs" heads="1" vram="16384">`},
	}, {
		name: "arm64 gets virtio",
		mut:  func(v *virtv1.VirtualMachineInstance) { v.Spec.Architecture = "arm64" },
		want: []string{`<model type="virtio" heads="1">`},
	}, {
		name: "video.type wins",
		mut: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Firmware = efi
			v.Spec.Domain.Devices.Video = &virtv1.VideoDevice{Type: "virtio"}
		},
		want:    []string{`<model type="virtio" heads="1">`},
		notWant: []string{`bochs`},
	}, {
		name: "a tablet defaults to the usb bus",
		mut: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Inputs = []virtv1.Input{{Name: "tablet0", Type: "tablet"}}
		},
		want: []string{`<input type="tablet" bus="usb">`, `<alias name="ua-tablet0">`},
	}, {
		name: "a virtio tablet",
		mut: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Inputs = []virtv1.Input{{Name: "t", Type: "tablet", Bus: "virtio"}}
		},
		want: []string{`<input type="tablet" bus="virtio">`},
	}, {
		name:    "no inputs asked, none rendered",
		notWant: []string{`<input type="tablet"`},
	}, {
		name:    "a display without a socket is an error",
		cfg:     func(c *Config) { c.VNCSocket = "" },
		wantErr: "VNC socket",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := RenderXML(baseVMI(tc.mut), baseConfig(tc.cfg))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("RenderXML: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %s in\n%s", w, out)
				}
			}
		})
	}
}
