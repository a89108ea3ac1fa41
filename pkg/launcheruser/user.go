package launcheruser

import virtv1 "kvirt.io/api/core/v1"

const (
	// NonRoot is the UID and GID of launchers and QEMU (qemu's in upstream's
	// images and in kvirt's launcher image).
	NonRoot int64 = 107
	// Root is the UID of a launcher that builds the bridge binding itself.
	Root int64 = 0
)

// ForVMI is the UID the VMI's launcher and QEMU run as: what virt-api writes to
// status.runtimeUser and what the launcher pod runs as.
func ForVMI(vmi *virtv1.VirtualMachineInstance) int64 {
	if NeedsNetAdmin(&vmi.Spec) {
		return Root
	}
	return NonRoot
}

// NeedsNetAdmin reports whether the launcher must change its network namespace:
// a bridge binding on the pod network moves the pod address to an in-pod bridge
// and creates a tap (pkg/virt-launcher/podnet). Masquerade runs in QEMU's
// user-mode stack and secondary networks are not built by the launcher.
func NeedsNetAdmin(spec *virtv1.VirtualMachineInstanceSpec) bool {
	return PodBridgeInterface(spec) != nil
}

// PodBridgeInterface is the VMI interface bound by bridge to the pod network, or
// nil if there is none.
func PodBridgeInterface(spec *virtv1.VirtualMachineInstanceSpec) *virtv1.Interface {
	pod := map[string]bool{}
	for _, n := range spec.Networks {
		if n.Pod != nil {
			pod[n.Name] = true
		}
	}
	for i := range spec.Domain.Devices.Interfaces {
		iface := &spec.Domain.Devices.Interfaces[i]
		if iface.Bridge != nil && pod[iface.Name] {
			return iface
		}
	}
	return nil
}
