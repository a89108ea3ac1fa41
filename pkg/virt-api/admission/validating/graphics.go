package validating

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// videoTypesByArch are the video models each architecture can show, as
// upstream allows them.
var videoTypesByArch = map[string][]string{
	"amd64": {"vga", "cirrus", "virtio", "ramfb", "bochs"},
	"arm64": {"virtio", "ramfb"},
	"s390x": {"virtio"},
}

// validateVideo checks spec.domain.devices.video: it needs the graphics
// device (autoattachGraphicsDevice not false) and a model of the VMI's
// architecture.
func validateVideo(devices *field.Path, s *virtv1.VirtualMachineInstanceSpec, cfg Config) field.ErrorList {
	video := s.Domain.Devices.Video
	if video == nil {
		return nil
	}
	fld := devices.Child("video")
	if a := s.Domain.Devices.AutoattachGraphicsDevice; a != nil && !*a {
		return field.ErrorList{field.Invalid(fld, video.Type, "a video device needs autoattachGraphicsDevice to be true or unset")}
	}
	arch := s.Architecture
	if arch == "" {
		arch = cfg.Architecture
	}
	allowed, known := videoTypesByArch[arch]
	if video.Type != "" && known && !contains(allowed, video.Type) {
		return field.ErrorList{field.NotSupported(fld.Child("type"), video.Type, allowed)}
	}
	return nil
}

// validateInputs checks spec.domain.devices.inputs as upstream: tablets only,
// on the usb or virtio bus, with unique names.
func validateInputs(devices *field.Path, s *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, in := range s.Domain.Devices.Inputs {
		fld := devices.Child("inputs").Index(i)
		if in.Type != "tablet" {
			errs = append(errs, field.NotSupported(fld.Child("type"), in.Type, []string{"tablet"}))
		}
		if in.Bus != "" && in.Bus != "usb" && in.Bus != "virtio" {
			errs = append(errs, field.NotSupported(fld.Child("bus"), in.Bus, []string{"usb", "virtio"}))
		}
		if in.Name == "" {
			errs = append(errs, field.Required(fld.Child("name"), "an input device needs a name"))
		} else if seen[in.Name] {
			errs = append(errs, field.Duplicate(fld.Child("name"), in.Name))
		}
		seen[in.Name] = true
	}
	return errs
}
