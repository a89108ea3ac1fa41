package launcherpod

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

// The serial console log: the launcher appends the guest's serial output to a
// file in an emptyDir, and the guest-console-log container prints it, so that
// "kubectl logs POD -c guest-console-log" shows it.
const (
	// GuestConsoleLogContainer is upstream's name of the container.
	GuestConsoleLogContainer = "guest-console-log"
	// SerialConsoleLogMountPath holds the log file in both containers.
	SerialConsoleLogMountPath = "/var/run/kvirt-serial-console"
	// SerialConsoleLogFile is the file the launcher writes.
	SerialConsoleLogFile   = SerialConsoleLogMountPath + "/serial0.log"
	serialConsoleLogVolume = "serial-console-log"
	// consoleLogUID is the unprivileged user the container runs as (qemu's UID
	// in upstream's images).
	consoleLogUID = int64(107)
)

// SerialConsoleLogEnabled follows upstream: never without the auto-attached
// serial console; else spec.domain.devices.logSerialConsole when set; else the
// cluster default (KubeVirt spec.configuration.virtualMachineOptions
// .disableSerialConsoleLog turns it off).
func SerialConsoleLogEnabled(spec *virtv1.VirtualMachineInstanceSpec, cfg Config) bool {
	devices := &spec.Domain.Devices
	if a := devices.AutoattachSerialConsole; a != nil && !*a {
		return false
	}
	if l := devices.LogSerialConsole; l != nil {
		return *l
	}
	return !cfg.DisableSerialConsoleLog
}

// guestConsoleLogContainer is a restartable init container (a sidecar: it
// starts before and runs beside the compute container) that follows the log
// file with the static container-disk helper of the launcher image, as the
// unprivileged user with no capabilities and a read-only view of the file.
func guestConsoleLogContainer(compute corev1.ResourceRequirements, cfg Config) corev1.Container {
	return corev1.Container{
		Name:          GuestConsoleLogContainer,
		Image:         cfg.LauncherImage,
		Command:       []string{containerDiskBinary, "--follow", SerialConsoleLogFile},
		RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
		VolumeMounts: []corev1.VolumeMount{
			{Name: serialConsoleLogVolume, MountPath: SerialConsoleLogMountPath, ReadOnly: true},
		},
		Resources: consoleLogResources(compute),
		SecurityContext: &corev1.SecurityContext{
			RunAsUser: ptr(consoleLogUID), RunAsNonRoot: ptr(true), AllowPrivilegeEscalation: ptr(false),
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
}

// consoleLogResources are upstream's small fixed figures: requests 5m CPU and
// 35M memory, limits 15m and 60M; requests equal limits when the compute
// container is Guaranteed on CPU (dedicated CPUs), so the pod keeps that QoS.
func consoleLogResources(compute corev1.ResourceRequirements) corev1.ResourceRequirements {
	req := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("5m"), corev1.ResourceMemory: resource.MustParse("35M")}
	lim := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("15m"), corev1.ResourceMemory: resource.MustParse("60M")}
	creq, hasReq := compute.Requests[corev1.ResourceCPU]
	clim, hasLim := compute.Limits[corev1.ResourceCPU]
	if hasReq && hasLim && creq.Cmp(clim) == 0 {
		req = lim.DeepCopy()
	}
	return corev1.ResourceRequirements{Requests: req, Limits: lim}
}
