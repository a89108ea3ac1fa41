package launcherpod

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

// helperVolume is the emptyDir the container-disk helper is copied into.
const helperVolume = "virt-bin-share-dir"

// imageSet is what the VMI's container images add to the pod: init containers
// that first copy the launcher's static container-disk helper into an emptyDir,
// then, one per containerDisk volume and one for a kernelBoot image, run it in
// that image to copy the disk (or kernel and initrd) into emptyDirs the compute
// container reads. Init containers run in order and all finish before the
// compute container starts, so the launcher never sees a partial copy.
type imageSet struct {
	initContainers []corev1.Container
	pullSecrets    []corev1.LocalObjectReference
	containerDisks bool
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
	var copies []corev1.Container
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
		path := "/disk"
		if v.ContainerDisk.Path != "" {
			path = v.ContainerDisk.Path
		}
		copies = append(copies, copyContainer("volume"+v.Name, v.ContainerDisk.Image, v.ContainerDisk.ImagePullPolicy,
			"container-disks", ContainerDiskMountPath, ContainerDiskMountPath+"/"+v.Name, path))
		addSecret(v.ContainerDisk.ImagePullSecret)
		set.containerDisks = true
	}
	if kb := kernelBootImage(spec); kb != nil {
		var paths []string
		for _, p := range []string{kb.KernelPath, kb.InitrdPath} {
			if p != "" {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			paths = []string{"/boot"}
		}
		copies = append(copies, copyContainer("kernel-boot", kb.Image, kb.ImagePullPolicy,
			"kernel-boot", KernelBootMountPath, KernelBootMountPath, paths...))
		addSecret(kb.ImagePullSecret)
	}
	if len(copies) > 0 {
		set.initContainers = append([]corev1.Container{{
			Name:            "container-disk-binary",
			Image:           cfg.LauncherImage,
			Command:         []string{containerDiskBinary, "--target", helperMountPath, containerDiskBinary},
			VolumeMounts:    []corev1.VolumeMount{{Name: helperVolume, MountPath: helperMountPath}},
			Resources:       helperResources(),
			SecurityContext: helperSecurity(),
		}}, copies...)
	}
	return set
}

// copyContainer runs the helper inside image, copying paths of the image into
// target (below mountPath, where the emptyDir volume is mounted).
func copyContainer(name, image string, policy corev1.PullPolicy, volume, mountPath, target string,
	paths ...string) corev1.Container {
	if policy == "" {
		policy = defaultPullPolicy(image)
	}
	return corev1.Container{
		Name:            name,
		Image:           image,
		ImagePullPolicy: policy,
		Command:         []string{helperMountPath + containerDiskBinary},
		Args:            append([]string{"--target", target}, paths...),
		VolumeMounts: []corev1.VolumeMount{
			{Name: helperVolume, MountPath: helperMountPath, ReadOnly: true},
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
	// Limits equal requests so a VMI with dedicated CPUs keeps Guaranteed QoS. A
	// copy is CPU bound while it lasts (a 10m limit made a 100 MB copy take tens of
	// seconds) and goes through the page cache, which the memory limit bounds.
	list := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("200m"),
		corev1.ResourceMemory: resource.MustParse("64Mi"),
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// fitHelpers lowers the copy containers' CPU request to the compute container's,
// so they never raise the pod's effective request (the largest init container
// request counts when it exceeds the containers' sum: 200m per VM would fit only
// ten VMs on two cores). They may still burst to the helper limit, unless the
// compute container is Guaranteed on CPU, where requests must equal limits.
func fitHelpers(helpers []corev1.Container, compute corev1.ResourceRequirements) {
	req, ok := compute.Requests[corev1.ResourceCPU]
	if !ok {
		return
	}
	guaranteed := false
	if lim, ok := compute.Limits[corev1.ResourceCPU]; ok && lim.Cmp(req) == 0 {
		guaranteed = true
	}
	for i := range helpers {
		r := &helpers[i].Resources
		if req.Cmp(r.Requests[corev1.ResourceCPU]) >= 0 {
			continue
		}
		r.Requests[corev1.ResourceCPU] = req.DeepCopy()
		if guaranteed {
			r.Limits[corev1.ResourceCPU] = req.DeepCopy()
		}
	}
}

func helperSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}
