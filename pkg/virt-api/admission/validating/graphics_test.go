package validating

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestVideoRules(t *testing.T) {
	rules := []ruleCase{
		{"video needs the graphics device", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.Devices.AutoattachGraphicsDevice = ptr.To(false)
			s.Domain.Devices.Video = &virtv1.VideoDevice{Type: "virtio"}
		}, "spec.domain.devices.video", field.ErrorTypeInvalid},
		{"video model of the architecture", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Architecture = "arm64"
			s.Domain.Machine.Type = "virt"
			s.Domain.Devices.Video = &virtv1.VideoDevice{Type: "vga"}
		}, "spec.domain.devices.video.type", field.ErrorTypeNotSupported},
		{"unknown video model", func(s *virtv1.VirtualMachineInstanceSpec) {
			s.Domain.Devices.Video = &virtv1.VideoDevice{Type: "qxl"}
		}, "spec.domain.devices.video.type", field.ErrorTypeNotSupported},
	}
	for _, tc := range rules {
		t.Run(tc.name, func(t *testing.T) {
			vmi := validVMI()
			tc.mutate(&vmi.Spec)
			assertCause(t, ValidateVMICreate(vmi, DefaultConfig()), tc.path, tc.typ)
		})
	}
	for _, typ := range []string{"", "vga", "bochs", "virtio"} {
		vmi := validVMI()
		vmi.Spec.Domain.Devices.Video = &virtv1.VideoDevice{Type: typ}
		if errs := ValidateVMICreate(vmi, DefaultConfig()); len(errs) != 0 {
			t.Errorf("video type %q refused: %v", typ, errs)
		}
	}
}
