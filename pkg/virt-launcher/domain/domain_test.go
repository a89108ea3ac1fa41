package domain

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func baseVMI(mut func(*virtv1.VirtualMachineInstance)) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: "vm1", Namespace: "ns", UID: "1111-2222"},
	}
	if mut != nil {
		mut(vmi)
	}
	return vmi
}

func baseConfig(mut func(*Config)) Config {
	cfg := Config{Accelerator: AcceleratorTCG, ConsoleSocket: "/run/x/serial0", VNCSocket: "/run/x/vnc",
		Volumes: map[string]VolumeSource{}}
	if mut != nil {
		mut(&cfg)
	}
	return cfg
}

func TestRenderXML(t *testing.T) {
	tests := []struct {
		name    string
		vmi     *virtv1.VirtualMachineInstance
		cfg     Config
		want    []string
		notWant []string
		wantErr string
	}{{
		name: "defaults: tcg, q35, 128Mi, one vcpu, acpi, serial on a unix socket",
		vmi:  baseVMI(nil),
		cfg:  baseConfig(nil),
		want: []string{`<domain type="qemu">`, `<name>ns_vm1</name>`, `<uuid>1111-2222</uuid>`,
			`<memory unit="KiB">131072</memory>`, `<vcpu placement="static">1</vcpu>`,
			`machine="q35"`, `<acpi></acpi>`, `<serial type="unix">`, `path="/run/x/serial0"`,
			`<console type="unix">`, `<memballoon model="virtio">`, `<on_poweroff>destroy</on_poweroff>`},
		notWant: []string{`host-model`},
	}, {
		name: "every domain gets the guest agent's virtio-serial channel, host end chosen by libvirt",
		vmi:  baseVMI(nil),
		cfg:  baseConfig(nil),
		want: []string{`<channel type="unix">`, `<source mode="bind"></source>`,
			`<target type="virtio" name="org.qemu.guest_agent.0"></target>`},
	}, {
		name: "kvm uses host-model by default",
		vmi:  baseVMI(nil),
		cfg:  baseConfig(func(c *Config) { c.Accelerator = AcceleratorKVM }),
		want: []string{`<domain type="kvm">`, `mode="host-model"`},
	}, {
		name: "cpu topology, named model and features",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.CPU = &virtv1.CPU{Sockets: 2, Cores: 2, Threads: 1, Model: "Skylake-Server",
				Features: []virtv1.CPUFeature{{Name: "vmx"}, {Name: "pcid", Policy: "disable"}}}
		}),
		cfg: baseConfig(nil),
		want: []string{`<vcpu placement="static">4</vcpu>`, `<topology sockets="2" dies="1" cores="2" threads="1">`,
			`<model fallback="allow">Skylake-Server</model>`, `<feature policy="require" name="vmx">`,
			`<feature policy="disable" name="pcid">`},
	}, {
		name: "memory.guest wins over requests; machine type",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Memory = &virtv1.Memory{Guest: ptr.To(resource.MustParse("1Gi"))}
			v.Spec.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")}
			v.Spec.Domain.Machine = &virtv1.Machine{Type: "pc-q35-7.2"}
		}),
		cfg:  baseConfig(nil),
		want: []string{`<memory unit="KiB">1048576</memory>`, `machine="pc-q35-7.2"`},
	}, {
		name: "memory request when no guest memory",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}
		}),
		cfg:  baseConfig(nil),
		want: []string{`<memory unit="KiB">65536</memory>`},
	}, {
		name: "kernel boot",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{KernelArgs: " console=ttyS0 "}}
		}),
		cfg: baseConfig(func(c *Config) { c.KernelPath, c.InitrdPath = "/k/vmlinuz", "/k/initrd.img" }),
		want: []string{`<kernel>/k/vmlinuz</kernel>`, `<initrd>/k/initrd.img</initrd>`,
			`<cmdline>console=ttyS0</cmdline>`},
	}, {
		name: "kernel boot without artefacts fails",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{}}
		}),
		cfg:     baseConfig(nil),
		wantErr: "kernelBoot",
	}, {
		name: "efi with secure boot, serial number and uuid",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Firmware = &virtv1.Firmware{UUID: "aaaa", Serial: "sn-1",
				Bootloader: &virtv1.Bootloader{EFI: &virtv1.EFI{}}}
		}),
		cfg: baseConfig(nil),
		want: []string{`<os firmware="efi">`, `<feature enabled="yes" name="secure-boot">`, `<uuid>aaaa</uuid>`,
			`<entry name="serial">sn-1</entry>`, `<smbios mode="sysinfo">`},
	}, {
		name: "acpi disabled, apic and smm enabled",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Features = &virtv1.Features{ACPI: virtv1.FeatureState{Enabled: ptr.To(false)},
				Apic: &virtv1.FeatureAPIC{}, SMM: &virtv1.FeatureState{}}
		}),
		cfg:     baseConfig(nil),
		want:    []string{`<apic></apic>`, `<smm state="on">`},
		notWant: []string{`<acpi>`},
	}, {
		name: "disks: container disk transient, cdrom on sata, block pvc, boot order",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Disks = []virtv1.Disk{
				{Name: "root", BootOrder: ptr.To[int32](1), Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}},
				{Name: "seed", Cdrom: &virtv1.CDRomTarget{}},
				{Name: "data", Serial: "D1"},
			}
		}),
		cfg: baseConfig(func(c *Config) {
			c.Volumes["root"] = VolumeSource{Path: "/cd/root/disk.img", Format: "qcow2", Transient: true}
			c.Volumes["seed"] = VolumeSource{Path: "/ci/seed.iso", ReadOnly: true}
			c.Volumes["data"] = VolumeSource{Path: "/dev/data", Block: true}
		}),
		want: []string{`<driver name="qemu" type="qcow2">`, `<source file="/cd/root/disk.img">`,
			`<target dev="vda" bus="virtio">`, `<transient></transient>`, `<boot order="1">`,
			`<disk type="file" device="cdrom">`, `<target dev="sda" bus="sata">`, `<readonly></readonly>`,
			`<disk type="block" device="disk">`, `<source dev="/dev/data">`, `<target dev="vdb" bus="virtio">`,
			`<serial>D1</serial>`, `<alias name="ua-seed">`},
	}, {
		name: "disk without a host source names the disk",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root"}}
		}),
		cfg:     baseConfig(nil),
		wantErr: `disks[0] "root"`,
	}, {
		name: "lun needs a block device",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "l", LUN: &virtv1.LunTarget{}}}
		}),
		cfg:     baseConfig(func(c *Config) { c.Volumes["l"] = VolumeSource{Path: "/f"} }),
		wantErr: "block device",
	}, {
		name: "masquerade and bridge use the taps virt-handler built",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}},
				{Name: "br", Pod: &virtv1.PodNetwork{}}}
			v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{
				{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}, MACAddress: "02:00:00:00:00:01"},
				{Name: "br", Bridge: &virtv1.InterfaceBridge{}, Model: "e1000"}}
		}),
		cfg: baseConfig(func(c *Config) { c.Taps = map[string]string{"default": "tap0", "br": "tap1"} }),
		want: []string{`<mac address="02:00:00:00:00:01">`, `<model type="virtio">`, `<interface type="ethernet">`,
			`<target dev="tap0" managed="no">`, `<target dev="tap1" managed="no">`, `<model type="e1000">`},
		notWant: []string{`<interface type="user">`},
	}, {
		name: "a secondary multus network's NIC follows the pod network's, with its own tap",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}},
				{Name: "secnet", Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}}}
			v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{
				{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}},
				{Name: "secnet", Bridge: &virtv1.InterfaceBridge{}}}
		}),
		cfg: baseConfig(func(c *Config) { c.Taps = map[string]string{"default": "tap0", "secnet": "tap0dccfe60da3"} }),
		want: []string{`<target dev="tap0" managed="no"></target>` + "\n" + `      <model type="virtio"></model>` + "\n" +
			`      <alias name="ua-default"></alias>`, `<target dev="tap0dccfe60da3" managed="no">`, `<alias name="ua-secnet">`},
	}, {
		name: "masquerade without a tap from virt-handler",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
			v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}}
		}),
		cfg:     baseConfig(nil),
		wantErr: "no tap device",
	}, {
		name: "interface without its network",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "x", Masquerade: &virtv1.InterfaceMasquerade{}}}
		}),
		cfg:     baseConfig(nil),
		wantErr: "no network",
	}, {
		name: "rng, no balloon, no serial console",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.RNG = &virtv1.Rng{}
			v.Spec.Domain.Devices.AutoattachMemBalloon = ptr.To(false)
			v.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(false)
		}),
		cfg:     baseConfig(nil),
		want:    []string{`<rng model="virtio">`, `<backend model="random">/dev/urandom</backend>`, `<memballoon model="none">`},
		notWant: []string{`<serial`, `<console`},
	}, {
		name: "autoattachSerialConsole true: serial port 0 and its console on the socket",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(true)
		}),
		cfg: baseConfig(nil),
		want: []string{`<serial type="unix">`, `<source mode="bind" path="/run/x/serial0">`, `<target type="isa-serial" port="0">`,
			`<console type="unix">`, `<target type="serial" port="0">`},
	}, {
		name: "autoattachSerialConsole false: no serial device and no console at all",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(false)
		}),
		cfg:     baseConfig(nil),
		notWant: []string{`<serial`, `<console`, `serial0`, `isa-serial`},
	}, {
		name: "autoattachSerialConsole false needs no console socket",
		vmi: baseVMI(func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(false)
		}),
		cfg:     baseConfig(func(c *Config) { c.ConsoleSocket = "" }),
		notWant: []string{`<serial`, `<console`},
	}, {
		name:    "a serial console without a socket is an error",
		vmi:     baseVMI(nil),
		cfg:     baseConfig(func(c *Config) { c.ConsoleSocket = "" }),
		wantErr: "console socket",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := RenderXML(tc.vmi, tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("RenderXML: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %s in\n%s", w, out)
				}
			}
		})
	}
}

func TestUsableAccelerator(t *testing.T) {
	cases := []struct {
		requested Accelerator
		device    bool
		want      Accelerator
	}{
		{AcceleratorKVM, true, AcceleratorKVM},
		{AcceleratorKVM, false, AcceleratorTCG},
		{AcceleratorTCG, true, AcceleratorTCG},
		{"", true, AcceleratorTCG},
	}
	for _, tc := range cases {
		if got := Usable(tc.requested, tc.device); got != tc.want {
			t.Errorf("Usable(%q, %v) = %q, want %q", tc.requested, tc.device, got, tc.want)
		}
	}
}
