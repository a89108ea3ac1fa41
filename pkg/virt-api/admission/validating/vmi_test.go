package validating

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// validVMI is a minimal VMI as it looks after defaulting; every row of the rule
// table breaks exactly one thing in a copy of it.
func validVMI() *virtv1.VirtualMachineInstance {
	mem := resource.MustParse("128Mi")
	return &virtv1.VirtualMachineInstance{Spec: virtv1.VirtualMachineInstanceSpec{
		Domain: virtv1.DomainSpec{
			Machine: &virtv1.Machine{Type: "q35"},
			CPU:     &virtv1.CPU{Sockets: 1, Cores: 1, Threads: 1},
			Memory:  &virtv1.Memory{Guest: &mem},
			Devices: virtv1.Devices{
				Disks: []virtv1.Disk{
					{Name: "root", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}},
					{Name: "cloudinit", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}},
				},
				Interfaces: []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}},
			},
		},
		Networks: []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}},
		Volumes: []virtv1.Volume{
			{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "quay.io/kvirt/cirros:v1"}},
			{Name: "cloudinit", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh\necho hi\n"}},
		},
	}}
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

// ruleCase is one rule: what to break and the cause it must produce.
type ruleCase struct {
	name   string
	mutate func(s *virtv1.VirtualMachineInstanceSpec)
	path   string
	typ    field.ErrorType
}

// vmiRules has one row per VMI spec rule.
var vmiRules = []ruleCase{
	{"disk names a missing volume", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Name = "nope" },
		"spec.domain.devices.disks[0].name", field.ErrorTypeNotFound},
	{"disk names unique", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[1].Name = "root" },
		"spec.domain.devices.disks[1].name", field.ErrorTypeDuplicate},
	{"disk name is a DNS label", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].Name, s.Volumes[0].Name = "Root_Disk", "Root_Disk"
	}, "spec.domain.devices.disks[0].name", field.ErrorTypeInvalid},
	{"disk has one target", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Cdrom = &virtv1.CDRomTarget{} },
		"spec.domain.devices.disks[0]", field.ErrorTypeInvalid},
	{"disk bus is known", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Disk.Bus = "floppy" },
		"spec.domain.devices.disks[0].disk.bus", field.ErrorTypeNotSupported},
	{"ide bus refused", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Disk.Bus = "ide" },
		"spec.domain.devices.disks[0].disk.bus", field.ErrorTypeInvalid},
	{"virtio cdrom refused", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].Disk, s.Domain.Devices.Disks[0].Cdrom = nil, &virtv1.CDRomTarget{Bus: virtv1.DiskBusVirtio}
	}, "spec.domain.devices.disks[0].cdrom.bus", field.ErrorTypeInvalid},
	{"read-only sata disk refused", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].Disk = &virtv1.DiskTarget{Bus: virtv1.DiskBusSATA, Readonly: ptr.To(true)}
	}, "spec.domain.devices.disks[0].disk.readonly", field.ErrorTypeInvalid},
	{"pci address needs virtio", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].Disk = &virtv1.DiskTarget{Bus: virtv1.DiskBusSATA, PCIAddress: "0000:81:01.0"}
	}, "spec.domain.devices.disks[0].disk.pciAddress", field.ErrorTypeInvalid},
	{"dedicated IO thread needs virtio", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].Disk.Bus, s.Domain.Devices.Disks[0].DedicatedIOThread = virtv1.DiskBusSATA, ptr.To(true)
	}, "spec.domain.devices.disks[0].dedicatedIOThread", field.ErrorTypeInvalid},
	{"boot order positive", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].BootOrder = ptr.To[int32](0) },
		"spec.domain.devices.disks[0].bootOrder", field.ErrorTypeInvalid},
	{"boot order unique across disks and interfaces", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].BootOrder, s.Domain.Devices.Interfaces[0].BootOrder = ptr.To[int32](1), ptr.To[int32](1)
	}, "spec.domain.devices.interfaces[0].bootOrder", field.ErrorTypeDuplicate},
	{"cache mode known", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Cache = "unsafe" },
		"spec.domain.devices.disks[0].cache", field.ErrorTypeNotSupported},
	{"io mode known", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].IO = "uring" },
		"spec.domain.devices.disks[0].io", field.ErrorTypeNotSupported},
	{"serial format", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Disks[0].Serial = "bad serial!" },
		"spec.domain.devices.disks[0].serial", field.ErrorTypeInvalid},
	{"block size power of two", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Disks[0].BlockSize = &virtv1.BlockSize{Custom: &virtv1.CustomBlockSize{Logical: 1000, Physical: 4096}}
	}, "spec.domain.devices.disks[0].blockSize.custom.logical", field.ErrorTypeInvalid},
	{"volume names unique", func(s *virtv1.VirtualMachineInstanceSpec) { s.Volumes[1].Name = "root" },
		"spec.volumes[1].name", field.ErrorTypeDuplicate},
	{"volume name is a DNS label", func(s *virtv1.VirtualMachineInstanceSpec) { s.Volumes[1].Name = "-bad" },
		"spec.volumes[1].name", field.ErrorTypeInvalid},
	{"volume has a source", func(s *virtv1.VirtualMachineInstanceSpec) { s.Volumes[1].CloudInitNoCloud = nil },
		"spec.volumes[1]", field.ErrorTypeRequired},
	{"volume has only one source", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].EmptyDisk = &virtv1.EmptyDiskSource{Capacity: ptr.To(q("1Gi"))}
	}, "spec.volumes[0]", field.ErrorTypeInvalid},
	{"volume used by a disk", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes = append(s.Volumes, virtv1.Volume{Name: "spare", EmptyDisk: &virtv1.EmptyDiskSource{Capacity: ptr.To(q("1Gi"))}})
	}, "spec.volumes[2].name", field.ErrorTypeInvalid},
	{"one serviceAccount volume", func(s *virtv1.VirtualMachineInstanceSpec) {
		for _, n := range []string{"sa1", "sa2"} {
			s.Volumes = append(s.Volumes, virtv1.Volume{Name: n, ServiceAccount: &virtv1.ServiceAccountVolumeSource{ServiceAccountName: "x"}})
			s.Domain.Devices.Disks = append(s.Domain.Devices.Disks, virtv1.Disk{Name: n})
		}
	}, "spec.volumes[3].serviceAccount", field.ErrorTypeForbidden},
	{"containerDisk image set", func(s *virtv1.VirtualMachineInstanceSpec) { s.Volumes[0].ContainerDisk.Image = "" },
		"spec.volumes[0].containerDisk.image", field.ErrorTypeRequired},
	{"dataVolume name set", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].DataVolume = nil, &virtv1.DataVolumeSource{}
	}, "spec.volumes[0].dataVolume.name", field.ErrorTypeRequired},
	{"pvc claimName set", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].PersistentVolumeClaim = nil, &virtv1.PersistentVolumeClaimVolumeSource{}
	}, "spec.volumes[0].persistentVolumeClaim.claimName", field.ErrorTypeRequired},
	{"emptyDisk capacity set", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].EmptyDisk = nil, &virtv1.EmptyDiskSource{}
	}, "spec.volumes[0].emptyDisk.capacity", field.ErrorTypeRequired},
	{"hostDisk needs its feature gate", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].HostDisk = nil, &virtv1.HostDisk{Path: "/data/d.img", Type: "Disk"}
	}, "spec.volumes[0].hostDisk", field.ErrorTypeForbidden},
	{"hostDisk path absolute", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].HostDisk = nil, &virtv1.HostDisk{Path: "data/d.img", Type: "Disk"}
	}, "spec.volumes[0].hostDisk.path", field.ErrorTypeInvalid},
	{"hostDisk type known", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].HostDisk = nil, &virtv1.HostDisk{Path: "/d.img", Type: "File"}
	}, "spec.volumes[0].hostDisk.type", field.ErrorTypeNotSupported},
	{"hostDisk DiskOrCreate needs capacity", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[0].ContainerDisk, s.Volumes[0].HostDisk = nil, &virtv1.HostDisk{Path: "/d.img", Type: "DiskOrCreate"}
	}, "spec.volumes[0].hostDisk.capacity", field.ErrorTypeRequired},
	{"cloud-init has data", func(s *virtv1.VirtualMachineInstanceSpec) { s.Volumes[1].CloudInitNoCloud.UserData = "" },
		"spec.volumes[1].cloudInitNoCloud", field.ErrorTypeRequired},
	{"cloud-init one user data source", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[1].CloudInitNoCloud.UserDataBase64 = "IyEvYmluL3NoCg=="
	}, "spec.volumes[1].cloudInitNoCloud", field.ErrorTypeInvalid},
	{"cloud-init user data size", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[1].CloudInitNoCloud.UserData = strings.Repeat("x", 4096)
	}, "spec.volumes[1].cloudInitNoCloud.userData", field.ErrorTypeTooLong},
	{"cloud-init base64 decodable", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Volumes[1].CloudInitConfigDrive = &virtv1.CloudInitConfigDriveSource{UserDataBase64: "not base64!"}
		s.Volumes[1].CloudInitNoCloud = nil
	}, "spec.volumes[1].cloudInitConfigDrive.userDataBase64", field.ErrorTypeInvalid},
	{"memory requested", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Memory = nil },
		"spec.domain.resources.requests.memory", field.ErrorTypeRequired},
	{"memory request at least 1Mi", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: q("512Ki")}
	}, "spec.domain.resources.requests.memory", field.ErrorTypeInvalid},
	{"memory request within limit", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Memory = nil
		s.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: q("256Mi")}
		s.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: q("128Mi")}
	}, "spec.domain.resources.requests.memory", field.ErrorTypeInvalid},
	{"guest memory within limit", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: q("64Mi")}
	}, "spec.domain.memory.guest", field.ErrorTypeInvalid},
	{"guest memory above minimum", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Memory.Guest = ptr.To(q("100Ki")) },
		"spec.domain.memory.guest", field.ErrorTypeInvalid},
	{"hugepage size known", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Memory.Hugepages = &virtv1.Hugepages{PageSize: "3Mi"}
	},
		"spec.domain.memory.hugepages.pageSize", field.ErrorTypeNotSupported},
	{"cpu request within limit", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: q("2")}
		s.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: q("1")}
	}, "spec.domain.resources.requests.cpu", field.ErrorTypeInvalid},
	{"topology within cpu limit", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.CPU.Sockets, s.Domain.CPU.Cores = 2, 2
		s.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: q("2")}
	}, "spec.domain.cpu", field.ErrorTypeInvalid},
	{"topology not negative", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.CPU.Cores = -1 },
		"spec.domain.cpu.cores", field.ErrorTypeInvalid},
	{"sockets within maxSockets", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.CPU.Sockets, s.Domain.CPU.MaxSockets = 4, 2 },
		"spec.domain.cpu.sockets", field.ErrorTypeInvalid},
	{"isolateEmulatorThread needs dedicated CPUs", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.CPU.IsolateEmulatorThread = ptr.To(true)
	}, "spec.domain.cpu.isolateEmulatorThread", field.ErrorTypeInvalid},
	{"dedicated CPUs need requests equal to limits", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.CPU.DedicatedCPUPlacement = ptr.To(true)
		s.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: q("1")}
		s.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: q("2")}
	}, "spec.domain.resources.requests.cpu", field.ErrorTypeInvalid},
	{"interface needs its network", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Interfaces[0].Name = "other" },
		"spec.domain.devices.interfaces[0].name", field.ErrorTypeNotFound},
	{"network needs an interface", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks = append(s.Networks, virtv1.Network{Name: "extra", Multus: &virtv1.MultusNetwork{NetworkName: "br"}})
	}, "spec.networks[1].name", field.ErrorTypeInvalid},
	{"interface names unique", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces = append(s.Domain.Devices.Interfaces, virtv1.Interface{Name: "default", Bridge: &virtv1.InterfaceBridge{}})
	}, "spec.domain.devices.interfaces[1].name", field.ErrorTypeDuplicate},
	{"interface name characters", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].Name, s.Networks[0].Name = "de.fault", "de.fault"
	}, "spec.domain.devices.interfaces[0].name", field.ErrorTypeInvalid},
	{"network names unique", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks = append(s.Networks, virtv1.Network{Name: "default", Multus: &virtv1.MultusNetwork{NetworkName: "br"}})
	}, "spec.networks[1].name", field.ErrorTypeDuplicate},
	{"network has one source", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks[0].Multus = &virtv1.MultusNetwork{NetworkName: "br"}
	},
		"spec.networks[0]", field.ErrorTypeInvalid},
	{"at most one pod network", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks = append(s.Networks, virtv1.Network{Name: "second", Pod: &virtv1.PodNetwork{}})
		s.Domain.Devices.Interfaces = append(s.Domain.Devices.Interfaces, virtv1.Interface{Name: "second", Bridge: &virtv1.InterfaceBridge{}})
	}, "spec.networks[1]", field.ErrorTypeInvalid},
	{"vmNetworkCIDR an IPv4 network of at least 4 addresses", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks[0].Pod.VMNetworkCIDR = "10.0.2.0/31"
	}, "spec.networks[0].pod.vmNetworkCIDR", field.ErrorTypeInvalid},
	{"vmNetworkCIDR a network", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks[0].Pod.VMNetworkCIDR = "not-a-cidr"
	}, "spec.networks[0].pod.vmNetworkCIDR", field.ErrorTypeInvalid},
	{"masquerade only on the pod network", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks[0].Pod, s.Networks[0].Multus = nil, &virtv1.MultusNetwork{NetworkName: "br"}
	}, "spec.domain.devices.interfaces[0].masquerade", field.ErrorTypeInvalid},
	{"masquerade not on a secondary multus network", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks = append(s.Networks, virtv1.Network{Name: "sec", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}})
		s.Domain.Devices.Interfaces = append(s.Domain.Devices.Interfaces,
			virtv1.Interface{Name: "sec", Masquerade: &virtv1.InterfaceMasquerade{}})
	}, "spec.domain.devices.interfaces[1].masquerade", field.ErrorTypeInvalid},
	{"secondary multus network: bridge binding only", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks = append(s.Networks, virtv1.Network{Name: "sec", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}})
		s.Domain.Devices.Interfaces = append(s.Domain.Devices.Interfaces,
			virtv1.Interface{Name: "sec", SRIOV: &virtv1.InterfaceSRIOV{}})
	}, "spec.domain.devices.interfaces[1]", field.ErrorTypeForbidden},
	{"one binding per interface", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].Bridge = &virtv1.InterfaceBridge{}
	}, "spec.domain.devices.interfaces[0]", field.ErrorTypeInvalid},
	{"slirp discontinued", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].Masquerade, s.Domain.Devices.Interfaces[0].Slirp = nil, &virtv1.DeprecatedInterfaceSlirp{}
	}, "spec.domain.devices.interfaces[0].slirp", field.ErrorTypeForbidden},
	{"interface model known", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Interfaces[0].Model = "vmxnet3" },
		"spec.domain.devices.interfaces[0].model", field.ErrorTypeNotSupported},
	{"mac address valid", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Devices.Interfaces[0].MACAddress = "zz:zz" },
		"spec.domain.devices.interfaces[0].macAddress", field.ErrorTypeInvalid},
	{"port in range", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].Ports = []virtv1.Port{{Port: 70000}}
	}, "spec.domain.devices.interfaces[0].ports[0].port", field.ErrorTypeInvalid},
	{"port protocol known", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].Ports = []virtv1.Port{{Port: 80, Protocol: "SCTP"}}
	}, "spec.domain.devices.interfaces[0].ports[0].protocol", field.ErrorTypeNotSupported},
	{"architecture known", func(s *virtv1.VirtualMachineInstanceSpec) { s.Architecture = "riscv64" },
		"spec.architecture", field.ErrorTypeNotSupported},
	{"machine type emulated", func(s *virtv1.VirtualMachineInstanceSpec) { s.Domain.Machine.Type = "pc-i440fx-2.5" },
		"spec.domain.machine.type", field.ErrorTypeNotSupported},
	{"hostname is a DNS label", func(s *virtv1.VirtualMachineInstanceSpec) { s.Hostname = "my_host" },
		"spec.hostname", field.ErrorTypeInvalid},
	{"subdomain is a DNS subdomain", func(s *virtv1.VirtualMachineInstanceSpec) { s.Subdomain = "Bad_Sub" },
		"spec.subdomain", field.ErrorTypeInvalid},
	{"grace period not negative", func(s *virtv1.VirtualMachineInstanceSpec) { s.TerminationGracePeriodSeconds = ptr.To[int64](-1) },
		"spec.terminationGracePeriodSeconds", field.ErrorTypeInvalid},
	{"probe has one handler", func(s *virtv1.VirtualMachineInstanceSpec) { s.ReadinessProbe = &virtv1.Probe{} },
		"spec.readinessProbe", field.ErrorTypeInvalid},
	{"network probe needs pod network", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Networks[0].Pod, s.Networks[0].Multus = nil, &virtv1.MultusNetwork{NetworkName: "br"}
		s.Domain.Devices.Interfaces[0].Masquerade, s.Domain.Devices.Interfaces[0].Bridge = nil, &virtv1.InterfaceBridge{}
		s.LivenessProbe = &virtv1.Probe{TCPSocket: &corev1.TCPSocketAction{}}
	}, "spec.livenessProbe", field.ErrorTypeInvalid},
	{"input type is tablet", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Inputs = []virtv1.Input{{Name: "k", Type: "keyboard"}}
	}, "spec.domain.devices.inputs[0].type", field.ErrorTypeNotSupported},
	{"input bus is usb or virtio", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Inputs = []virtv1.Input{{Name: "t", Type: "tablet", Bus: "ps2"}}
	}, "spec.domain.devices.inputs[0].bus", field.ErrorTypeNotSupported},
	{"input names unique", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Inputs = []virtv1.Input{{Name: "t", Type: "tablet"}, {Name: "t", Type: "tablet", Bus: "virtio"}}
	}, "spec.domain.devices.inputs[1].name", field.ErrorTypeDuplicate},
	{"interface state is up, down or absent", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].State = "off"
	}, "spec.domain.devices.interfaces[0].state", field.ErrorTypeNotSupported},
	{"interface pciAddress is DDDD:BB:SS.F", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].PCIAddress = "81:01.0"
	}, "spec.domain.devices.interfaces[0].pciAddress", field.ErrorTypeInvalid},
	{"interface acpiIndex not negative", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Devices.Interfaces[0].ACPIIndex = -1
	}, "spec.domain.devices.interfaces[0].acpiIndex", field.ErrorTypeInvalid},
	{"start strategy is Paused", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.StartStrategy = ptr.To(virtv1.StartStrategy("Later"))
	}, "spec.startStrategy", field.ErrorTypeNotSupported},
	{"paused start has no liveness probe", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.StartStrategy = ptr.To(virtv1.StartStrategyPaused)
		s.LivenessProbe = &virtv1.Probe{GuestAgentPing: &virtv1.GuestAgentPing{}}
	}, "spec.startStrategy", field.ErrorTypeInvalid},
	{"dns policy known", func(s *virtv1.VirtualMachineInstanceSpec) { s.DNSPolicy = "Everywhere" },
		"spec.dnsPolicy", field.ErrorTypeNotSupported},
	{"dns policy None needs nameservers", func(s *virtv1.VirtualMachineInstanceSpec) { s.DNSPolicy = corev1.DNSNone },
		"spec.dnsConfig.nameservers", field.ErrorTypeRequired},
	{"at most three nameservers", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", "1.0.0.1"}}
	}, "spec.dnsConfig.nameservers", field.ErrorTypeTooMany},
	{"nameserver is an IP", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"dns.local"}}
	},
		"spec.dnsConfig.nameservers[0]", field.ErrorTypeInvalid},
	{"eviction strategy known", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.EvictionStrategy = ptr.To(virtv1.EvictionStrategy("Sometimes"))
	}, "spec.evictionStrategy", field.ErrorTypeNotSupported},
	{"access credential has a secret", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{}}}
	}, "spec.accessCredentials[0].sshPublicKey.source.secret.secretName", field.ErrorTypeRequired},
	{"ssh keys through the guest agent need a user", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
			Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "k"}},
			PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
				QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{}}}}}
	}, "spec.accessCredentials[0].sshPublicKey.propagationMethod.qemuGuestAgent.users", field.ErrorTypeRequired},
	{"ssh keys need one propagation method", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
			Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "k"}}}}}
	}, "spec.accessCredentials[0].sshPublicKey.propagationMethod", field.ErrorTypeInvalid},
	{"passwords need the guest agent", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.AccessCredentials = []virtv1.AccessCredential{{UserPassword: &virtv1.UserPasswordAccessCredential{
			Source: virtv1.UserPasswordAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "p"}}}}}
	}, "spec.accessCredentials[0].userPassword.propagationMethod", field.ErrorTypeRequired},
	{"one bootloader", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Firmware = &virtv1.Firmware{Bootloader: &virtv1.Bootloader{BIOS: &virtv1.BIOS{}, EFI: &virtv1.EFI{}}}
	}, "spec.domain.firmware.bootloader", field.ErrorTypeInvalid},
	{"secure boot needs SMM", func(s *virtv1.VirtualMachineInstanceSpec) {
		s.Domain.Firmware = &virtv1.Firmware{Bootloader: &virtv1.Bootloader{EFI: &virtv1.EFI{}}}
		s.Domain.Features = &virtv1.Features{SMM: &virtv1.FeatureState{Enabled: ptr.To(false)}}
	}, "spec.domain.firmware.bootloader.efi.secureBoot", field.ErrorTypeInvalid},
}

func TestValidVMIHasNoErrors(t *testing.T) {
	if errs := ValidateVMICreate(validVMI(), DefaultConfig()); len(errs) != 0 {
		t.Fatalf("valid VMI refused: %v", errs)
	}
}

func TestMultusNetworksAccepted(t *testing.T) {
	t.Run("secondary bridge beside the pod network", func(t *testing.T) {
		vmi := validVMI()
		vmi.Spec.Networks = append(vmi.Spec.Networks, virtv1.Network{Name: "sec",
			Multus: &virtv1.MultusNetwork{NetworkName: "other/secnet"}})
		vmi.Spec.Domain.Devices.Interfaces = append(vmi.Spec.Domain.Devices.Interfaces,
			virtv1.Interface{Name: "sec", Bridge: &virtv1.InterfaceBridge{}})
		if errs := ValidateVMICreate(vmi, DefaultConfig()); len(errs) != 0 {
			t.Fatalf("refused: %v", errs)
		}
	})
	t.Run("masquerade on the default multus network", func(t *testing.T) {
		vmi := validVMI()
		vmi.Spec.Networks[0].Pod = nil
		vmi.Spec.Networks[0].Multus = &virtv1.MultusNetwork{NetworkName: "def", Default: ptr.To(true)}
		if errs := ValidateVMICreate(vmi, DefaultConfig()); len(errs) != 0 {
			t.Fatalf("refused: %v", errs)
		}
	})
}

func TestNetworkProbesAndInterfaceDetailsAccepted(t *testing.T) {
	vmi := validVMI()
	vmi.Spec.ReadinessProbe = &virtv1.Probe{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}
	vmi.Spec.LivenessProbe = &virtv1.Probe{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}}
	i := &vmi.Spec.Domain.Devices.Interfaces[0]
	i.State, i.PCIAddress, i.ACPIIndex = "down", "0000:00:1a.0", 2
	if errs := ValidateVMICreate(vmi, DefaultConfig()); len(errs) != 0 {
		t.Fatalf("refused: %v", errs)
	}
}

func TestVMIRules(t *testing.T) {
	for _, tc := range vmiRules {
		t.Run(tc.name, func(t *testing.T) {
			vmi := validVMI()
			tc.mutate(&vmi.Spec)
			assertCause(t, ValidateVMICreate(vmi, DefaultConfig()), tc.path, tc.typ)
		})
	}
}

func TestVMIRulesReportEveryViolation(t *testing.T) {
	vmi := validVMI()
	vmi.Spec.Domain.Devices.Disks[0].Name = "nope"
	vmi.Spec.Domain.Devices.Disks[1].Disk.Bus = "floppy"
	vmi.Spec.Hostname = "my_host"
	errs := ValidateVMICreate(vmi, DefaultConfig())
	for _, want := range []string{"spec.domain.devices.disks[0].name", "spec.domain.devices.disks[1].disk.bus", "spec.hostname"} {
		assertCause(t, errs, want, "")
	}
}

func TestHostDiskAllowedWithGate(t *testing.T) {
	vmi := validVMI()
	vmi.Spec.Volumes[0].ContainerDisk = nil
	vmi.Spec.Volumes[0].HostDisk = &virtv1.HostDisk{Path: "/d.img", Type: "DiskOrCreate", Capacity: ptr.To(q("1Gi"))}
	cfg := DefaultConfig()
	cfg.FeatureGates = []string{FeatureGateHostDisk}
	if errs := ValidateVMICreate(vmi, cfg); len(errs) != 0 {
		t.Fatalf("hostDisk with gate refused: %v", errs)
	}
}

// assertCause fails unless errs holds a cause at path (of type typ, if given).
func assertCause(t *testing.T, errs field.ErrorList, path string, typ field.ErrorType) {
	t.Helper()
	for _, e := range errs {
		if e.Field == path && (typ == "" || e.Type == typ) {
			return
		}
	}
	t.Fatalf("want a %q cause at %s, got %v", typ, path, errs)
}

func ptrQ(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
