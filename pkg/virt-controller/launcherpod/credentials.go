package launcherpod

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/credentials"
)

// AccessCredentialsMountPath holds one read-only directory per Secret of the
// VMI's agent-propagated access credentials, named for the Secret: the kubelet
// keeps the files current, so the launcher sees a changed Secret without API
// credentials of its own.
const AccessCredentialsMountPath = PrivateMountPath + "/access-credentials"

// accessCredentialVolume names the i-th Secret's volume (a Secret's name may be
// longer than a volume name may).
func accessCredentialVolume(i int) string { return fmt.Sprintf("access-cred-%d", i) }

// accessCredentialVolumes are the Secret volumes of spec.accessCredentials that
// use the qemuGuestAgent propagation method, each Secret once.
func accessCredentialVolumes(spec *virtv1.VirtualMachineInstanceSpec) []corev1.Volume {
	var vols []corev1.Volume
	for i, name := range credentials.SecretNames(spec.AccessCredentials) {
		vols = append(vols, corev1.Volume{Name: accessCredentialVolume(i),
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: name}}})
	}
	return vols
}

// accessCredentialMounts mounts each of those volumes under
// AccessCredentialsMountPath/<secret name>.
func accessCredentialMounts(spec *virtv1.VirtualMachineInstanceSpec) []corev1.VolumeMount {
	var mounts []corev1.VolumeMount
	for i, name := range credentials.SecretNames(spec.AccessCredentials) {
		mounts = append(mounts, corev1.VolumeMount{Name: accessCredentialVolume(i),
			MountPath: AccessCredentialsMountPath + "/" + name, ReadOnly: true})
	}
	return mounts
}
