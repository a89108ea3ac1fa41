package launcherpod

import (
	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/launcheruser"
)

// podSecurity is the launcher pod's security context. A launcher runs libvirt's
// QEMU driver in its own process, so it and QEMU need no privilege: UID/GID
// 107 (launcheruser.NonRoot), the runtime's default seccomp profile, and fsGroup
// 107 so that the pod's volumes are writable by that group. /dev/kvm, /dev/net/tun
// and /dev/vhost-net come from virt-handler's device plugins and belong to the
// pod's user (the runtime's device_ownership_from_security_context). The pod
// meets Pod Security "restricted".
//
// The exception: a VMI that binds the pod network by bridge gets a root
// launcher, which builds the in-pod bridge and tap (see computeSecurity).
func podSecurity(vmi *virtv1.VirtualMachineInstance) *corev1.PodSecurityContext {
	if launcheruser.ForVMI(vmi) == launcheruser.Root {
		return &corev1.PodSecurityContext{RunAsUser: ptr(launcheruser.Root), RunAsGroup: ptr(launcheruser.Root)}
	}
	return &corev1.PodSecurityContext{
		RunAsUser:      ptr(launcheruser.NonRoot),
		RunAsGroup:     ptr(launcheruser.NonRoot),
		FSGroup:        ptr(launcheruser.NonRoot),
		RunAsNonRoot:   ptr(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// computeSecurity is the compute container's security context. Non-root: no
// privilege escalation, every capability dropped but NET_BIND_SERVICE (in the
// bounding set only: a process of UID 107 has no effective capability).
//
// Root, for a bridge binding on the pod network: the runtime's default
// capabilities plus NET_ADMIN (bridge, tap, address move; libvirt hands the tap
// to QEMU) and NET_BIND_SERVICE (the binding's DHCP responder on UDP 67). The
// defaults are kept, not dropped and re-added: libvirt running as root applies
// QEMU's capability set and fails without them. No SYS_ADMIN, not privileged;
// such a pod is admitted by neither "baseline" (NET_ADMIN) nor "restricted".
func computeSecurity(vmi *virtv1.VirtualMachineInstance) *corev1.SecurityContext {
	if launcheruser.ForVMI(vmi) == launcheruser.Root {
		return &corev1.SecurityContext{
			RunAsUser:    ptr(launcheruser.Root),
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_BIND_SERVICE"}},
		}
	}
	return &corev1.SecurityContext{
		RunAsUser:                ptr(launcheruser.NonRoot),
		RunAsNonRoot:             ptr(true),
		AllowPrivilegeEscalation: ptr(false),
		Capabilities: &corev1.Capabilities{
			Drop: []corev1.Capability{"ALL"},
			Add:  []corev1.Capability{"NET_BIND_SERVICE"},
		},
	}
}
