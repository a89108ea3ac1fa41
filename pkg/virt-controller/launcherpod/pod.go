package launcherpod

import (
	"fmt"
	"hash/fnv"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Well-known names inside the launcher pod.
const (
	ComputeContainer = "compute"
	// LauncherAppValue is the kubevirt.io label value of launcher pods.
	LauncherAppValue = "virt-launcher"
	// SocketMountPath is where the per-VMI host socket directory appears in the pod.
	SocketMountPath = "/var/run/kvirt"
	// PrivateMountPath is launcher-private runtime state (libvirt runtime dir, ...).
	PrivateMountPath = "/var/run/kvirt-private"
	// ContainerDiskMountPath holds the disk images served by containerDisk containers.
	ContainerDiskMountPath = "/var/run/kvirt-ephemeral-disks/container-disk-data"
	// KernelBootMountPath holds the kernel and initrd of a kernelBoot container.
	KernelBootMountPath = "/var/run/kvirt-ephemeral-disks/kernel-boot"
	binShareMountPath   = "/init/usr/bin"
	containerDiskBinary = "container-disk"

	// runtimeUser is the unprivileged user the launcher runs as (upstream: 107, qemu).
	runtimeUser = int64(107)
	// gracePeriodPadding gives the launcher time to stop its VM after the guest's
	// own grace period.
	gracePeriodPadding = int64(15)
	defaultGracePeriod = int64(30)
	maxVMINameInPod    = 40
)

// Name is the launcher pod's name for a VMI: deterministic, so creating it twice
// fails with AlreadyExists instead of starting two launchers.
func Name(vmi *virtv1.VirtualMachineInstance) string {
	name := vmi.Name
	if len(name) > maxVMINameInPod {
		name = name[:maxVMINameInPod]
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(vmi.UID))
	suffix := strconv.FormatUint(uint64(h.Sum32()), 36)
	for len(suffix) < 5 {
		suffix = "0" + suffix
	}
	return fmt.Sprintf("virt-launcher-%s-%s", name, suffix[:5])
}

// Render returns the launcher pod of vmi. It is a pure function: the same inputs
// always give the same pod.
func Render(vmi *virtv1.VirtualMachineInstance, cfg Config) *corev1.Pod {
	cfg = cfg.withDefaults()
	spec := &vmi.Spec
	images := imageContainers(spec, cfg)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        Name(vmi),
			Namespace:   vmi.Namespace,
			Labels:      podLabels(vmi),
			Annotations: map[string]string{virtv1.DomainAnnotation: vmi.Name, "kubectl.kubernetes.io/default-container": ComputeContainer},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vmi,
				virtv1.SchemeGroupVersion.WithKind("VirtualMachineInstance"))},
		},
		Spec: corev1.PodSpec{
			Hostname:                      hostname(vmi),
			Subdomain:                     spec.Subdomain,
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: gracePeriod(spec),
			NodeSelector:                  nodeSelector(spec),
			Affinity:                      spec.Affinity.DeepCopy(),
			Tolerations:                   copyTolerations(spec.Tolerations),
			TopologySpreadConstraints:     copySpread(spec.TopologySpreadConstraints),
			PriorityClassName:             spec.PriorityClassName,
			SchedulerName:                 spec.SchedulerName,
			DNSPolicy:                     spec.DNSPolicy,
			DNSConfig:                     spec.DNSConfig.DeepCopy(),
			ServiceAccountName:            spec.ServiceAccountName,
			AutomountServiceAccountToken:  ptr(spec.ServiceAccountName != ""),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsUser: ptr(runtimeUser), RunAsGroup: ptr(runtimeUser), FSGroup: ptr(runtimeUser),
				RunAsNonRoot: ptr(true),
			},
			Containers:       append([]corev1.Container{computeContainer(vmi, cfg, len(images.containers) > 0)}, images.containers...),
			InitContainers:   images.initContainers,
			Volumes:          podVolumes(vmi, cfg, len(images.containers) > 0),
			ImagePullSecrets: images.pullSecrets,
		},
	}
	return pod
}

func podLabels(vmi *virtv1.VirtualMachineInstance) map[string]string {
	labels := map[string]string{}
	for k, v := range vmi.Labels {
		if k != virtv1.NodeNameLabel {
			labels[k] = v
		}
	}
	labels[virtv1.AppLabel] = LauncherAppValue
	labels[virtv1.CreatedByLabel] = string(vmi.UID)
	return labels
}

func hostname(vmi *virtv1.VirtualMachineInstance) string {
	name := vmi.Spec.Hostname
	if name == "" {
		name = vmi.Name
	}
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}

func gracePeriod(spec *virtv1.VirtualMachineInstanceSpec) *int64 {
	g := defaultGracePeriod
	if spec.TerminationGracePeriodSeconds != nil {
		g = *spec.TerminationGracePeriodSeconds
	}
	return ptr(g + gracePeriodPadding)
}

// nodeSelector keeps the VMI's selector and adds the schedulable label virt-handler
// maintains, so launchers only land where a handler accepts them.
func nodeSelector(spec *virtv1.VirtualMachineInstanceSpec) map[string]string {
	sel := map[string]string{virtv1.NodeSchedulable: "true"}
	for k, v := range spec.NodeSelector {
		sel[k] = v
	}
	return sel
}

func computeContainer(vmi *virtv1.VirtualMachineInstance, cfg Config, withImages bool) corev1.Container {
	mounts := []corev1.VolumeMount{
		{Name: "sockets", MountPath: SocketMountPath},
		{Name: "private", MountPath: PrivateMountPath},
	}
	if withImages {
		mounts = append(mounts, corev1.VolumeMount{Name: "container-disks", MountPath: ContainerDiskMountPath})
	}
	if kernelBootImage(&vmi.Spec) != nil {
		mounts = append(mounts, corev1.VolumeMount{Name: "kernel-boot", MountPath: KernelBootMountPath})
	}
	return corev1.Container{
		Name:    ComputeContainer,
		Image:   cfg.LauncherImage,
		Command: []string{"/usr/bin/virt-launcher"},
		Args:    []string{"--socket-dir", SocketMountPath},
		Env: []corev1.EnvVar{
			{Name: "KVIRT_VMI_NAME", Value: vmi.Name},
			{Name: "KVIRT_VMI_NAMESPACE", Value: vmi.Namespace},
			{Name: "KVIRT_VMI_UID", Value: string(vmi.UID)},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		},
		Resources:                computeResources(&vmi.Spec, cfg),
		VolumeMounts:             mounts,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Capabilities: &corev1.Capabilities{
				Drop: []corev1.Capability{"ALL"},
				Add:  []corev1.Capability{"NET_BIND_SERVICE"},
			},
		},
	}
}

func podVolumes(vmi *virtv1.VirtualMachineInstance, cfg Config, withImages bool) []corev1.Volume {
	hostPathType := corev1.HostPathDirectoryOrCreate
	vols := []corev1.Volume{
		{Name: "sockets", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: cfg.ShareDir + "/" + string(vmi.UID), Type: &hostPathType,
		}}},
		{Name: "private", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	if withImages {
		vols = append(vols,
			corev1.Volume{Name: "container-disks", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			corev1.Volume{Name: "virt-bin-share-dir", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	if kernelBootImage(&vmi.Spec) != nil {
		vols = append(vols, corev1.Volume{Name: "kernel-boot", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	return vols
}

func copyTolerations(in []corev1.Toleration) []corev1.Toleration {
	if in == nil {
		return nil
	}
	out := make([]corev1.Toleration, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

func copySpread(in []corev1.TopologySpreadConstraint) []corev1.TopologySpreadConstraint {
	if in == nil {
		return nil
	}
	out := make([]corev1.TopologySpreadConstraint, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

func ptr[T any](v T) *T { return &v }
