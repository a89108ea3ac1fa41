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
// meets Pod Security "restricted", whatever the VMI's network binding:
// virt-handler builds the in-pod bridge, tap and NAT rules.
func podSecurity(vmi *virtv1.VirtualMachineInstance) *corev1.PodSecurityContext {
	uid := launcheruser.ForVMI(vmi)
	return &corev1.PodSecurityContext{
		RunAsUser:      ptr(uid),
		RunAsGroup:     ptr(uid),
		FSGroup:        ptr(uid),
		RunAsNonRoot:   ptr(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// computeSecurity is the compute container's security context: no privilege
// escalation, every capability dropped but NET_BIND_SERVICE (in the bounding
// set only: a process of UID 107 has no effective capability; the DHCP
// responder binds UDP 67 because virt-handler lowers the pod namespace's
// ip_unprivileged_port_start).
func computeSecurity(vmi *virtv1.VirtualMachineInstance) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsUser:                ptr(launcheruser.ForVMI(vmi)),
		RunAsNonRoot:             ptr(true),
		AllowPrivilegeEscalation: ptr(false),
		Capabilities: &corev1.Capabilities{
			Drop: []corev1.Capability{"ALL"},
			Add:  []corev1.Capability{"NET_BIND_SERVICE"},
		},
	}
}
