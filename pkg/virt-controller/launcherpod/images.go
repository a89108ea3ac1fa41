package launcherpod

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

// imageSet is what the VMI's container images add to the pod: one container per
// containerDisk volume and one for a kernelBoot image, each running the launcher's
// container-disk helper (copied in by an init container) to keep its files available.
type imageSet struct {
	containers     []corev1.Container
	initContainers []corev1.Container
	pullSecrets    []corev1.LocalObjectReference
}

func kernelBootImage(spec *virtv1.VirtualMachineInstanceSpec) *virtv1.KernelBootContainer {
	fw := spec.Domain.Firmware
	if fw == nil || fw.KernelBoot == nil {
		return nil
	}
	return fw.KernelBoot.Container
}

func imageContainers(spec *virtv1.VirtualMachineInstanceSpec, cfg Config) imageSet {
	var set imageSet
	secrets := map[string]bool{}
	addSecret := func(name string) {
		if name != "" && !secrets[name] {
			secrets[name] = true
			set.pullSecrets = append(set.pullSecrets, corev1.LocalObjectReference{Name: name})
		}
	}
	for _, v := range spec.Volumes {
		if v.ContainerDisk == nil {
			continue
		}
		set.containers = append(set.containers, imageContainer("volume"+v.Name, v.ContainerDisk.Image,
			v.ContainerDisk.ImagePullPolicy, ContainerDiskMountPath+"/"+v.Name, "container-disks", ContainerDiskMountPath))
		addSecret(v.ContainerDisk.ImagePullSecret)
	}
	if kb := kernelBootImage(spec); kb != nil {
		set.containers = append(set.containers, imageContainer("kernel-boot", kb.Image, kb.ImagePullPolicy,
			KernelBootMountPath+"/boot", "kernel-boot", KernelBootMountPath))
		addSecret(kb.ImagePullSecret)
	}
	if len(set.containers) > 0 {
		set.initContainers = []corev1.Container{{
			Name:            "container-disk-binary",
			Image:           cfg.LauncherImage,
			Command:         []string{"/usr/bin/cp", "/usr/bin/" + containerDiskBinary, binShareMountPath + "/" + containerDiskBinary},
			VolumeMounts:    []corev1.VolumeMount{{Name: "virt-bin-share-dir", MountPath: binShareMountPath}},
			Resources:       helperResources(),
			SecurityContext: helperSecurity(),
		}}
	}
	return set
}

func imageContainer(name, image string, policy corev1.PullPolicy, copyPath, volume, mountPath string) corev1.Container {
	if policy == "" {
		policy = defaultPullPolicy(image)
	}
	return corev1.Container{
		Name:            name,
		Image:           image,
		ImagePullPolicy: policy,
		Command:         []string{binShareMountPath + "/" + containerDiskBinary},
		Args:            []string{"--copy-path", copyPath},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "virt-bin-share-dir", MountPath: binShareMountPath},
			{Name: volume, MountPath: mountPath},
		},
		Resources:       helperResources(),
		SecurityContext: helperSecurity(),
	}
}

// defaultPullPolicy follows Kubernetes' rule: untagged or :latest images are
// always pulled, anything else only when missing.
func defaultPullPolicy(image string) corev1.PullPolicy {
	if strings.Contains(image, "@") {
		return corev1.PullIfNotPresent
	}
	slash := strings.LastIndex(image, "/")
	tag := ""
	if i := strings.LastIndex(image[slash+1:], ":"); i >= 0 {
		tag = image[slash+1+i+1:]
	}
	if tag == "" || tag == "latest" {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}

func helperResources() corev1.ResourceRequirements {
	list := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("10m"),
		corev1.ResourceMemory: resource.MustParse("40Mi"),
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

func helperSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}
