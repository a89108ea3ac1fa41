// Package network groups the pod network's bindings: podplan decides what a
// VMI's interface needs (pure), podsetup builds it in the launcher pod's network
// namespace from virt-handler (privileged), and the launcher's half
// (pkg/virt-launcher/podnet) hands QEMU the tap and answers the guest's DHCP.
// This package holds no code of its own.
package network
