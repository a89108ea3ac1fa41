package validating

import (
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

var (
	// pciAddressPattern is upstream's DDDD:BB:SS.F (slot up to 1f, function up to 7).
	pciAddressPattern = regexp.MustCompile(`^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7]$`)
	interfaceStates   = []string{"up", "down", "absent"}
)

// validateInterfacePlacement checks each interface's link state, guest PCI
// address and ACPI index: a known state, a well-formed address used by one
// interface only, and a non-negative ACPI index unique among the interfaces.
func validateInterfacePlacement(fld *field.Path, ifaces []virtv1.Interface) field.ErrorList {
	var errs field.ErrorList
	addrs, indexes := map[string]bool{}, map[int32]bool{}
	for i := range ifaces {
		iface := &ifaces[i]
		idx := fld.Index(i)
		if iface.State != "" && !contains(interfaceStates, iface.State) {
			errs = append(errs, field.NotSupported(idx.Child("state"), iface.State, interfaceStates))
		}
		if a := iface.PCIAddress; a != "" {
			switch {
			case !pciAddressPattern.MatchString(a):
				errs = append(errs, field.Invalid(idx.Child("pciAddress"), a, "must be a PCI address of the form DDDD:BB:SS.F"))
			case addrs[a]:
				errs = append(errs, field.Duplicate(idx.Child("pciAddress"), a))
			}
			addrs[a] = true
		}
		switch n := iface.ACPIIndex; {
		case n < 0:
			errs = append(errs, field.Invalid(idx.Child("acpiIndex"), n, "must not be negative"))
		case n > 0 && indexes[n]:
			errs = append(errs, field.Duplicate(idx.Child("acpiIndex"), n))
		}
		indexes[iface.ACPIIndex] = true
	}
	return errs
}
