package domain

import (
	"strings"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func TestRenderInterfaceDetails(t *testing.T) {
	tests := []struct {
		name    string
		iface   virtv1.Interface
		want    []string
		notWant []string
		wantErr string
	}{
		{name: "unset state renders no link element", iface: virtv1.Interface{},
			notWant: []string{`<link`, `<acpi index`, `<address type="pci"`}},
		{name: "state down", iface: virtv1.Interface{State: "down"}, want: []string{`<link state="down">`}},
		{name: "state up", iface: virtv1.Interface{State: "up"}, want: []string{`<link state="up">`}},
		{name: "absent is not rendered", iface: virtv1.Interface{State: "absent"}, wantErr: `state "absent"`},
		{name: "pci address and acpi index", iface: virtv1.Interface{PCIAddress: "0000:00:1a.0", ACPIIndex: 3},
			want: []string{`<address type="pci" domain="0x0000" bus="0x00" slot="0x1a" function="0x0">`, `<acpi index="3">`}},
		{name: "bad pci address", iface: virtv1.Interface{PCIAddress: "00:1a.0"}, wantErr: "not a PCI address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmi := baseVMI(func(v *virtv1.VirtualMachineInstance) {
				v.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
				iface := tt.iface
				iface.Name, iface.Masquerade = "default", &virtv1.InterfaceMasquerade{}
				v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{iface}
			})
			out, err := RenderXML(vmi, baseConfig(func(c *Config) { c.Taps = map[string]string{"default": "tap0"} }))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %s", w)
				}
			}
		})
	}
}

func TestPCIAddress(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0000:81:01.0", true}, {"0000:00:1f.7", true}, {"0000:00:20.0", false}, {"0000:00:01.8", false},
		{"000:00:01.0", false}, {"0000:00:01", false}, {"zzzz:00:01.0", false},
	} {
		if _, err := PCIAddress(tc.in); (err == nil) != tc.ok {
			t.Errorf("PCIAddress(%q) err = %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}
