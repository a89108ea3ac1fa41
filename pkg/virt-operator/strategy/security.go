package strategy

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

// ComponentUID is the UID and GID virt-operator, virt-api and virt-controller
// run as: the "nonroot" user of their images' base (hack/build-images.sh),
// whose binaries are 0755 and whose Secret and ConfigMap volumes are 0644.
const ComponentUID = 65532

// tmpVolume is the writable /tmp of a component whose root filesystem is
// read-only (Go's os.TempDir; nothing writes elsewhere).
const tmpVolume = "tmp"

// Restrict makes pod meet Pod Security "restricted" and more: non-root with a
// fixed UID/GID (also the group of its volumes), RuntimeDefault seccomp,
// and for every container no privilege escalation, no capability and a
// read-only root filesystem with an emptyDir on /tmp. Call it once the
// containers are set.
func Restrict(pod *corev1.PodSpec) {
	pod.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		RunAsUser:      ptr.To[int64](ComponentUID),
		RunAsGroup:     ptr.To[int64](ComponentUID),
		FSGroup:        ptr.To[int64](ComponentUID),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: tmpVolume, VolumeSource: corev1.VolumeSource{
		EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr.To(resource.MustParse("64Mi"))},
	}})
	for i := range pod.Containers {
		c := &pod.Containers[i]
		c.SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
		c.VolumeMounts = append(c.VolumeMounts, mount(tmpVolume, "/tmp", false))
	}
}
