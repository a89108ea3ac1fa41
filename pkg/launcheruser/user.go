package launcheruser

import virtv1 "kvirt.io/api/core/v1"

// NonRoot is the UID and GID of launchers and QEMU (qemu's in upstream's images
// and in kvirt's launcher image).
const NonRoot int64 = 107

// ForVMI is the UID the VMI's launcher and QEMU run as: what virt-api writes to
// status.runtimeUser and what the launcher pod runs as. It is 107 for every
// VMI: the launcher changes nothing in its network namespace, virt-handler
// builds the masquerade and bridge bindings there.
func ForVMI(*virtv1.VirtualMachineInstance) int64 {
	return NonRoot
}
