package launcherpod

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
)

func baseVMI() *virtv1.VirtualMachineInstance {
	guest := resource.MustParse("128Mi")
	return &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: "testvmi", Namespace: "ns", UID: "1234-uid", Labels: map[string]string{"app": "x"}},
		Spec: virtv1.VirtualMachineInstanceSpec{
			Domain: virtv1.DomainSpec{Memory: &virtv1.Memory{Guest: &guest}},
		},
	}
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

func TestMemoryOverhead(t *testing.T) {
	off := false
	tests := []struct {
		name   string
		mutate func(*virtv1.VirtualMachineInstance)
		want   string
	}{
		// 240Mi + 8Mi + 128Mi/512 (256Ki) + 16Mi graphics
		{"1 vCPU 128Mi with graphics", func(*virtv1.VirtualMachineInstance) {}, "270592Ki"},
		{"no graphics", func(v *virtv1.VirtualMachineInstance) { v.Spec.Domain.Devices.AutoattachGraphicsDevice = &off }, "254208Ki"},
		{"4 vCPUs by topology", func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.CPU = &virtv1.CPU{Sockets: 2, Cores: 2}
		}, "295168Ki"},
		{"2 vCPUs from a 1500m limit", func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: q("1500m")}
		}, "278784Ki"},
		{"8Gi guest pays 16Mi of page tables", func(v *virtv1.VirtualMachineInstance) {
			g := q("8Gi")
			v.Spec.Domain.Memory.Guest = &g
		}, "286720Ki"},
		{"added overhead", func(v *virtv1.VirtualMachineInstance) {
			a := q("100Mi")
			v.Spec.Domain.Memory.ReservedOverhead = &virtv1.ReservedOverhead{AddedOverhead: &a}
		}, "372992Ki"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmi := baseVMI()
			tt.mutate(vmi)
			got := MemoryOverhead(&vmi.Spec)
			if want := q(tt.want); got.Cmp(want) != 0 {
				t.Fatalf("overhead = %s (%d), want %s", got.String(), got.Value(), tt.want)
			}
		})
	}
}

func TestRenderResources(t *testing.T) {
	yes := true
	tests := []struct {
		name    string
		mutate  func(*virtv1.VirtualMachineInstance)
		cfg     Config
		wantReq corev1.ResourceList
		wantLim corev1.ResourceList
	}{
		{
			name:    "guest memory plus overhead, default CPU, devices",
			mutate:  func(*virtv1.VirtualMachineInstance) {},
			wantReq: corev1.ResourceList{"memory": q("401664Ki"), "cpu": q("100m"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
			wantLim: corev1.ResourceList{KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
		},
		{
			name:    "emulation drops kvm, cluster CPU request",
			mutate:  func(*virtv1.VirtualMachineInstance) {},
			cfg:     Config{AllowEmulation: true, CPURequest: "250m"},
			wantReq: corev1.ResourceList{"memory": q("401664Ki"), "cpu": q("250m"), TunDevice: q("1"), VhostNetDevice: q("1")},
			wantLim: corev1.ResourceList{TunDevice: q("1"), VhostNetDevice: q("1")},
		},
		{
			name: "memory request under guest (overcommit) and limits get overhead",
			mutate: func(v *virtv1.VirtualMachineInstance) {
				v.Spec.Domain.Resources.Requests = corev1.ResourceList{"memory": q("64Mi"), "cpu": q("500m")}
				v.Spec.Domain.Resources.Limits = corev1.ResourceList{"memory": q("128Mi"), "cpu": q("1")}
			},
			wantReq: corev1.ResourceList{"memory": q("336128Ki"), "cpu": q("500m"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
			wantLim: corev1.ResourceList{"memory": q("401664Ki"), "cpu": q("1"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
		},
		{
			name: "dedicated CPUs are Guaranteed",
			mutate: func(v *virtv1.VirtualMachineInstance) {
				v.Spec.Domain.CPU = &virtv1.CPU{Cores: 2, DedicatedCPUPlacement: &yes}
			},
			wantReq: corev1.ResourceList{"memory": q("409856Ki"), "cpu": q("2"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
			wantLim: corev1.ResourceList{"memory": q("409856Ki"), "cpu": q("2"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
		},
		{
			name: "GPUs and host devices request their resources",
			mutate: func(v *virtv1.VirtualMachineInstance) {
				v.Spec.Domain.Devices.GPUs = []virtv1.GPU{{Name: "g1", DeviceName: "nvidia.com/GP100"}, {Name: "g2", DeviceName: "nvidia.com/GP100"}}
				v.Spec.Domain.Devices.HostDevices = []virtv1.HostDevice{{Name: "h", DeviceName: "intel.com/qat"}}
			},
			wantReq: corev1.ResourceList{"memory": q("401664Ki"), "cpu": q("100m"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1"), "nvidia.com/GP100": q("2"), "intel.com/qat": q("1")},
			wantLim: corev1.ResourceList{KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1"), "nvidia.com/GP100": q("2"), "intel.com/qat": q("1")},
		},
		{
			name: "hugepages back the guest, memory covers the overhead",
			mutate: func(v *virtv1.VirtualMachineInstance) {
				v.Spec.Domain.Memory.Hugepages = &virtv1.Hugepages{PageSize: "2Mi"}
			},
			wantReq: corev1.ResourceList{"memory": q("270592Ki"), "hugepages-2Mi": q("128Mi"), "cpu": q("100m"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
			wantLim: corev1.ResourceList{"hugepages-2Mi": q("128Mi"), KVMDevice: q("1"), TunDevice: q("1"), VhostNetDevice: q("1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmi := baseVMI()
			tt.mutate(vmi)
			pod := Render(vmi, tt.cfg)
			res := pod.Spec.Containers[0].Resources
			assertList(t, "requests", res.Requests, tt.wantReq)
			assertList(t, "limits", res.Limits, tt.wantLim)
		})
	}
}

func assertList(t *testing.T, what string, got, want corev1.ResourceList) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g.Cmp(w) != 0 {
			t.Errorf("%s[%s] = %s, want %s", what, k, g.String(), w.String())
		}
	}
}

func TestRenderShape(t *testing.T) {
	vmi := baseVMI()
	prio := "high"
	vmi.Spec.PriorityClassName = prio
	vmi.Spec.NodeSelector = map[string]string{"zone": "a"}
	vmi.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
	vmi.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}
	pod := Render(vmi, Config{})

	if pod.Name != Name(vmi) || pod.Name != Render(vmi, Config{}).Name {
		t.Fatalf("pod name %q is not the deterministic Name()", pod.Name)
	}
	wantLabels := map[string]string{"app": "x", "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "1234-uid",
		"vm.kubevirt.io/name": "testvmi", "kubevirt.io/vmi-id": "testvmi"}
	if !reflect.DeepEqual(pod.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", pod.Labels, wantLabels)
	}
	if pod.Annotations[virtv1.DomainAnnotation] != "testvmi" {
		t.Errorf("domain annotation = %q", pod.Annotations[virtv1.DomainAnnotation])
	}
	if ref := metav1.GetControllerOf(pod); ref == nil || ref.UID != vmi.UID || ref.Kind != "VirtualMachineInstance" {
		t.Errorf("controller ref = %+v", ref)
	}
	if !reflect.DeepEqual(pod.Spec.NodeSelector, map[string]string{"zone": "a", virtv1.NodeSchedulable: "true"}) {
		t.Errorf("nodeSelector = %v", pod.Spec.NodeSelector)
	}
	if pod.Spec.PriorityClassName != prio || len(pod.Spec.Tolerations) != 1 || pod.Spec.Affinity == nil {
		t.Errorf("scheduling fields not copied: %+v", pod.Spec)
	}
	c := pod.Spec.Containers[0]
	if c.Name != ComputeContainer || c.Image != DefaultLauncherImage || c.Command[0] != "/usr/bin/virt-launcher" {
		t.Errorf("compute container = %s %s %v", c.Name, c.Image, c.Command)
	}
	if *pod.Spec.TerminationGracePeriodSeconds != 45 || pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("grace %d restart %s", *pod.Spec.TerminationGracePeriodSeconds, pod.Spec.RestartPolicy)
	}
	if len(pod.Spec.InitContainers) != 1 || pod.Spec.InitContainers[0].Name != GuestConsoleLogContainer || len(pod.Spec.Containers) != 1 {
		t.Errorf("no images: want only compute and the console log, got %d containers %d init", len(pod.Spec.Containers), len(pod.Spec.InitContainers))
	}
}

func TestRenderNodeContract(t *testing.T) {
	pod := Render(baseVMI(), Config{DisableSerialConsoleLog: true})
	emptyDirs := map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			t.Errorf("volume %s is a hostPath (%s): launcher pods share nothing with the node", v.Name, v.HostPath.Path)
		}
		emptyDirs[v.Name] = v.EmptyDir != nil
	}
	// virt-handler reaches the sockets under this exact volume name.
	if !emptyDirs["kvirt-sockets"] || !emptyDirs["private"] || len(emptyDirs) != 2 {
		t.Errorf("volumes %v: want the emptyDirs kvirt-sockets and private", emptyDirs)
	}
	c := pod.Spec.Containers[0]
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	wantMounts := map[string]string{"kvirt-sockets": "/var/run/kvirt",
		"private": "/var/run/kvirt-private"}
	if !reflect.DeepEqual(mounts, wantMounts) {
		t.Errorf("mounts = %v, want %v", mounts, wantMounts)
	}
	wantArgs := []string{"--socket-dir", "/var/run/kvirt",
		"--state-dir", "/var/run/kvirt-private/libvirt",
		"--container-disk-dir", ContainerDiskMountPath, "--kernel-boot-dir", KernelBootMountPath, "--default-grace", "30s"}
	if !reflect.DeepEqual(c.Args, wantArgs) {
		t.Errorf("args = %v, want %v", c.Args, wantArgs)
	}
	if s := pod.Spec.ShareProcessNamespace; s == nil || !*s {
		t.Error("the pod does not share its process namespace: nothing would reap QEMU's probe processes")
	}
}

func TestRenderImages(t *testing.T) {
	vmi := baseVMI()
	vmi.Spec.Volumes = []virtv1.Volume{
		{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "reg/cirros:v1", ImagePullSecret: "s"}},
		{Name: "data", ContainerDisk: &virtv1.ContainerDiskSource{Image: "reg:5000/disk", Path: "/custom/d.qcow2"}},
		{Name: "ci", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "x"}},
	}
	vmi.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{Container: &virtv1.KernelBootContainer{
		Image: "reg/kernel:1", ImagePullSecret: "s", KernelPath: "/boot/vmlinuz", InitrdPath: "/boot/initrd.img"}}}
	pod := Render(vmi, Config{LauncherImage: "me/launcher:1", DisableSerialConsoleLog: true})

	if len(pod.Spec.Containers) != 1 || pod.Spec.Containers[0].Name != ComputeContainer {
		t.Fatalf("containers = %d, want only compute", len(pod.Spec.Containers))
	}
	type initC struct {
		name, image string
		cmd         []string
		policy      corev1.PullPolicy
	}
	var got []initC
	for _, c := range pod.Spec.InitContainers {
		got = append(got, initC{c.Name, c.Image, append(append([]string{}, c.Command...), c.Args...), c.ImagePullPolicy})
	}
	helper := "/init/usr/bin/container-disk"
	want := []initC{
		{"container-disk-binary", "me/launcher:1", []string{"/usr/bin/container-disk", "--target", "/init", "/usr/bin/container-disk"}, ""},
		{"volumeroot", "reg/cirros:v1", []string{helper, "--target", ContainerDiskMountPath + "/root", "/disk"}, corev1.PullIfNotPresent},
		{"volumedata", "reg:5000/disk", []string{helper, "--target", ContainerDiskMountPath + "/data", "/custom/d.qcow2"}, corev1.PullAlways},
		{"kernel-boot", "reg/kernel:1", []string{helper, "--target", KernelBootMountPath, "/boot/vmlinuz", "/boot/initrd.img"}, corev1.PullIfNotPresent},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("init containers =\n%v\nwant\n%v", got, want)
	}
	mounts := map[string]bool{}
	for _, m := range pod.Spec.Containers[0].VolumeMounts {
		mounts[m.Name+":"+m.MountPath] = m.ReadOnly
	}
	if ro, ok := mounts["container-disks:"+ContainerDiskMountPath]; !ok || ro {
		t.Errorf("compute mounts = %v, want container disks writable", mounts)
	}
	if ro, ok := mounts["kernel-boot:"+KernelBootMountPath]; !ok || !ro {
		t.Errorf("compute mounts = %v, want kernel boot read-only", mounts)
	}
	if len(pod.Spec.ImagePullSecrets) != 1 || pod.Spec.ImagePullSecrets[0].Name != "s" {
		t.Errorf("pull secrets = %v", pod.Spec.ImagePullSecrets)
	}
	// Only a kernelBoot image, no paths named: the whole /boot is copied.
	vmi.Spec.Volumes = nil
	vmi.Spec.Domain.Firmware.KernelBoot.Container.KernelPath = ""
	vmi.Spec.Domain.Firmware.KernelBoot.Container.InitrdPath = ""
	pod = Render(vmi, Config{DisableSerialConsoleLog: true})
	if n := len(pod.Spec.InitContainers); n != 2 || pod.Spec.InitContainers[1].Args[2] != "/boot" {
		t.Errorf("kernelBoot only: init containers %+v", pod.Spec.InitContainers)
	}
}

func TestPodAnnotationsAndLabels(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		labels      map[string]string
		hostname    string
		networks    []virtv1.Network
		wantAnn     map[string]string
		wantLabels  map[string]string
	}{
		{
			name:       "no annotations: only the pod's own",
			wantAnn:    map[string]string{virtv1.DomainAnnotation: "testvmi", defaultContainerAnnotation: ComputeContainer},
			wantLabels: map[string]string{"kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "1234-uid", "vm.kubevirt.io/name": "testvmi", "kubevirt.io/vmi-id": "testvmi"},
		},
		{
			name: "user annotations are carried, kubectl and api-version observations are not",
			annotations: map[string]string{
				"example.com/team": "a", "kubevirt.io/vm-generation": "3", "hooks.kubevirt.io/hookSidecars": "[]",
				"kubectl.kubernetes.io/last-applied-configuration":  "{}",
				virtv1.ControllerAPILatestVersionObservedAnnotation: "v1", virtv1.ControllerAPIStorageVersionObservedAnnotation: "v1",
			},
			wantAnn: map[string]string{
				"example.com/team": "a", "kubevirt.io/vm-generation": "3", "hooks.kubevirt.io/hookSidecars": "[]",
				virtv1.DomainAnnotation: "testvmi", defaultContainerAnnotation: ComputeContainer,
			},
		},
		{
			name:        "the pod's own keys win over the VMI's",
			annotations: map[string]string{virtv1.DomainAnnotation: "other"},
			wantAnn:     map[string]string{virtv1.DomainAnnotation: "testvmi", defaultContainerAnnotation: ComputeContainer},
		},
		{
			name:        "multus networks: secondary ones listed with their pod interface, the default one apart",
			annotations: map[string]string{multus.NetworksAnnotation: "spoof"},
			networks: []virtv1.Network{
				{Name: "def", Multus: &virtv1.MultusNetwork{NetworkName: "ns2/def", Default: &[]bool{true}[0]}},
				{Name: "secnet", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}},
			},
			wantAnn: map[string]string{virtv1.DomainAnnotation: "testvmi", defaultContainerAnnotation: ComputeContainer,
				multus.DefaultNetworkAnnotation: "ns2/def",
				multus.NetworksAnnotation:       `[{"name":"secnet","namespace":"ns","interface":"pod0dccfe60da3"}]`},
		},
		{
			name:       "labels carried except the node label; name label follows spec.hostname",
			labels:     map[string]string{"app": "x", virtv1.NodeNameLabel: "n1", virtv1.AppLabel: "spoof"},
			hostname:   "guest",
			wantLabels: map[string]string{"app": "x", "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "1234-uid", "vm.kubevirt.io/name": "guest", "kubevirt.io/vmi-id": "testvmi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmi := baseVMI()
			vmi.Annotations, vmi.Labels, vmi.Spec.Hostname = tt.annotations, tt.labels, tt.hostname
			if tt.networks != nil {
				vmi.Spec.Networks = tt.networks
			}
			pod := Render(vmi, Config{})
			if tt.wantAnn != nil && !reflect.DeepEqual(pod.Annotations, tt.wantAnn) {
				t.Errorf("annotations = %v, want %v", pod.Annotations, tt.wantAnn)
			}
			if tt.wantLabels != nil && !reflect.DeepEqual(pod.Labels, tt.wantLabels) {
				t.Errorf("labels = %v, want %v", pod.Labels, tt.wantLabels)
			}
		})
	}
}
