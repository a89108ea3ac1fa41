package launcherpod

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/vmiid"
)

// Well-known names inside the launcher pod.
const (
	ComputeContainer = "compute"
	// LauncherAppValue is the kubevirt.io label value of launcher pods.
	LauncherAppValue = "virt-launcher"
	// SocketMountPath is where the pod's socket emptyDir (SocketsVolume)
	// appears; virt-handler reaches it through the kubelet's pod directory.
	SocketMountPath = "/var/run/kvirt"
	// SocketsVolume is the emptyDir holding the launcher's sockets.
	SocketsVolume = podsocket.SocketsVolume
	// PrivateMountPath is launcher-private runtime state: the root of libvirt's
	// embedded QEMU driver (its state, logs and QEMU capabilities cache) and the
	// scratch files (cloud-init disks).
	PrivateMountPath = "/var/run/kvirt-private"
	// ContainerDiskMountPath holds the disk images served by containerDisk containers.
	ContainerDiskMountPath = "/var/run/kvirt-ephemeral-disks/container-disk-data"
	// KernelBootMountPath holds the kernel and initrd of a kernelBoot container.
	KernelBootMountPath = "/var/run/kvirt-ephemeral-disks/kernel-boot"
	// helperMountPath receives the container-disk helper, at
	// helperMountPath/usr/bin/container-disk.
	helperMountPath     = "/init"
	containerDiskBinary = "/usr/bin/container-disk"
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
	return RenderWithClaims(vmi, cfg, nil)
}

// RenderWithClaims is Render with the volume modes of the claims the VMI
// mounts (Block-mode claims become devices, the others filesystems).
func RenderWithClaims(vmi *virtv1.VirtualMachineInstance, cfg Config, modes ClaimModes) *corev1.Pod {
	cfg = cfg.withDefaults()
	spec := &vmi.Spec
	images := imageContainers(spec, cfg)
	compute := computeContainer(vmi, cfg, images.containerDisks)
	vmiVols, vmiMounts, vmiDevices := vmiVolumes(vmi, modes)
	compute.VolumeMounts = append(compute.VolumeMounts, vmiMounts...)
	compute.VolumeDevices = vmiDevices
	if len(vmiVols) > 0 {
		compute.Args = append(compute.Args, "--pvc-dir", VolumeMountPath, "--block-dir", BlockDevicePath,
			"--config-volume-dir", ConfigVolumeMountPath)
		compute.Args = append(compute.Args, claimCapacityArgs(vmi, modes)...)
	}
	fitHelpers(images.initContainers, compute.Resources)
	consoleLog := SerialConsoleLogEnabled(spec, cfg)
	if consoleLog {
		images.initContainers = append(images.initContainers, guestConsoleLogContainer(compute.Resources, cfg))
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        Name(vmi),
			Namespace:   vmi.Namespace,
			Labels:      podLabels(vmi),
			Annotations: podAnnotations(vmi),
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
			ServiceAccountName:            serviceAccountName(spec),
			AutomountServiceAccountToken:  ptr(spec.ServiceAccountName != ""),
			// The sandbox's pause process becomes PID 1 and reaps orphans: libvirt
			// probes QEMU with -daemonize, and a probe QEMU that exits must be
			// reaped, or libvirt waits for it forever (the launcher is no init).
			ShareProcessNamespace: ptr(true),
			SecurityContext:       podSecurity(vmi),
			Containers:            []corev1.Container{compute},
			InitContainers:        images.initContainers,
			Volumes:               append(podVolumes(vmi, images.containerDisks, consoleLog), vmiVols...),
			ImagePullSecrets:      images.pullSecrets,
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
	// A truncated name may end in a character a label value may not end in.
	labels[virtv1.VirtualMachineNameLabel] = strings.TrimRight(hostname(vmi), "-_.")
	// What virtctl expose vm|vmi selects, as upstream's does.
	labels[virtv1.VirtualMachineInstanceIDLabel] = vmiid.Of(vmi.Name)
	return labels
}

// defaultContainerAnnotation tells kubectl logs/exec which container to pick.
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// podAnnotations carries the VMI's annotations to the pod, as upstream does, except
// kubectl's own (last-applied-configuration would describe the VMI, not the pod)
// and the API-version observations the controllers keep on the VMI; then the
// pod's own keys, which a VMI annotation cannot override, and the Multus
// networks (secondary networks with their pod interface names, the default).
func podAnnotations(vmi *virtv1.VirtualMachineInstance) map[string]string {
	out := map[string]string{}
	for k, v := range vmi.Annotations {
		if !podInheritsAnnotation(k) {
			continue
		}
		out[k] = v
	}
	out[virtv1.DomainAnnotation] = vmi.Name
	out[defaultContainerAnnotation] = ComputeContainer
	for k, v := range multus.Annotations(vmi) {
		out[k] = v
	}
	return out
}

func podInheritsAnnotation(key string) bool {
	switch {
	case strings.HasPrefix(key, "kubectl.kubernetes.io/"):
		return false
	case key == virtv1.ControllerAPILatestVersionObservedAnnotation,
		key == virtv1.ControllerAPIStorageVersionObservedAnnotation:
		return false
	}
	return true
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

// GracePeriod is the launcher pod's termination grace period for the VMI's
// current spec: the guest's grace plus time for the launcher to stop the VM.
// virt-controller deletes the pod with it, so a grace period shortened after
// the pod was created (a forced stop) bounds the pod's end too.
func GracePeriod(vmi *virtv1.VirtualMachineInstance) int64 { return *gracePeriod(&vmi.Spec) }

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

func computeContainer(vmi *virtv1.VirtualMachineInstance, cfg Config, withDisks bool) corev1.Container {
	mounts := []corev1.VolumeMount{
		{Name: SocketsVolume, MountPath: SocketMountPath},
		{Name: "private", MountPath: PrivateMountPath},
	}
	if withDisks {
		// Writable: libvirt opens a transient disk's image read-write (the guest's
		// writes still go to the overlay). The copy is private to this pod.
		mounts = append(mounts, corev1.VolumeMount{Name: "container-disks", MountPath: ContainerDiskMountPath})
	}
	if kernelBootImage(&vmi.Spec) != nil {
		mounts = append(mounts, corev1.VolumeMount{Name: "kernel-boot", MountPath: KernelBootMountPath, ReadOnly: true})
	}
	args := []string{
		"--socket-dir", SocketMountPath,
		"--state-dir", PrivateMountPath + "/libvirt",
		"--container-disk-dir", ContainerDiskMountPath,
		"--kernel-boot-dir", KernelBootMountPath,
		"--default-grace", fmt.Sprintf("%ds", *gracePeriod(&vmi.Spec)-gracePeriodPadding),
	}
	if cfg.LauncherVerbosity > 0 {
		args = append(args, "--v", strconv.Itoa(cfg.LauncherVerbosity))
	}
	if SerialConsoleLogEnabled(&vmi.Spec, cfg) {
		mounts = append(mounts, corev1.VolumeMount{Name: serialConsoleLogVolume, MountPath: SerialConsoleLogMountPath})
		args = append(args, "--serial-console-log", SerialConsoleLogFile)
	}
	if creds := accessCredentialMounts(&vmi.Spec); len(creds) > 0 {
		mounts = append(mounts, creds...)
		args = append(args, "--access-credentials-dir", AccessCredentialsMountPath)
	}
	return corev1.Container{
		Name:    ComputeContainer,
		Image:   cfg.LauncherImage,
		Command: []string{"/usr/bin/virt-launcher"},
		Args:    args,
		Env: []corev1.EnvVar{
			{Name: "KVIRT_VMI_NAME", Value: vmi.Name},
			{Name: "KVIRT_VMI_NAMESPACE", Value: vmi.Namespace},
			{Name: "KVIRT_VMI_UID", Value: string(vmi.UID)},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		},
		Resources:                computeResources(&vmi.Spec, cfg),
		VolumeMounts:             mounts,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext:          computeSecurity(vmi),
		ReadinessProbe:           NetworkProbe(vmi.Spec.ReadinessProbe),
		LivenessProbe:            NetworkProbe(vmi.Spec.LivenessProbe),
	}
}

// podVolumes are all the pod's own: no hostPath, so no socket, cache or state
// is shared with another launcher (virt-handler reaches the sockets through
// the kubelet's pod directory).
func podVolumes(vmi *virtv1.VirtualMachineInstance, withDisks, consoleLog bool) []corev1.Volume {
	emptyDir := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	}
	vols := []corev1.Volume{
		emptyDir(SocketsVolume),
		emptyDir("private"),
	}
	if withDisks {
		vols = append(vols, emptyDir("container-disks"))
	}
	if kernelBootImage(&vmi.Spec) != nil {
		vols = append(vols, emptyDir("kernel-boot"))
	}
	if withDisks || kernelBootImage(&vmi.Spec) != nil {
		vols = append(vols, emptyDir(helperVolume))
	}
	if consoleLog {
		vols = append(vols, emptyDir(serialConsoleLogVolume))
	}
	return append(vols, accessCredentialVolumes(&vmi.Spec)...)
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
