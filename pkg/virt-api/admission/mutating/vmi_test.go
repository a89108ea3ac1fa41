package mutating

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func fixedUUID() string { return "5f6c1d3e-0000-4000-8000-000000000001" }

func minimalVMI() *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{Spec: virtv1.VirtualMachineInstanceSpec{
		Domain: virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
		}},
		Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "quay.io/x/cirros"}}},
	}}
}

func TestDefaultVMI(t *testing.T) {
	now := metav1.Now()
	cases := []struct {
		name   string
		cfg    func(c *Config)
		mutate func(v *virtv1.VirtualMachineInstance)
		check  func(t *testing.T, v *virtv1.VirtualMachineInstance)
	}{
		{name: "phase Pending with timestamp", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Status.Phase != virtv1.Pending || len(v.Status.PhaseTransitionTimestamps) != 1 {
				t.Fatalf("status %+v", v.Status)
			}
		}},
		{name: "finalizer", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if len(v.Finalizers) != 1 || v.Finalizers[0] != virtv1.VirtualMachineInstanceFinalizer {
				t.Fatalf("finalizers %v", v.Finalizers)
			}
		}},
		{name: "architecture and machine type q35", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Architecture != "amd64" || v.Spec.Domain.Machine.Type != "q35" {
				t.Fatalf("arch %q machine %+v", v.Spec.Architecture, v.Spec.Domain.Machine)
			}
		}},
		{name: "cluster machine type wins", cfg: func(c *Config) { c.MachineType = "pc-q35-rhel9.4.0" },
			check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
				if v.Spec.Domain.Machine.Type != "pc-q35-rhel9.4.0" {
					t.Fatalf("machine %+v", v.Spec.Domain.Machine)
				}
			}},
		{name: "sockets from cpu limit", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")}
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			c := v.Spec.Domain.CPU
			if c.Sockets != 3 || c.Cores != 1 || c.Threads != 1 {
				t.Fatalf("topology %+v", c)
			}
			if q := v.Spec.Domain.Resources.Requests[corev1.ResourceCPU]; q.String() != "3" {
				t.Fatalf("cpu request %s, want the limit copied", q.String())
			}
		}},
		{name: "sockets from cpu request", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.CPU.Sockets != 2 {
				t.Fatalf("topology %+v", v.Spec.Domain.CPU)
			}
		}},
		{name: "given topology kept", mutate: func(v *virtv1.VirtualMachineInstance) { v.Spec.Domain.CPU = &virtv1.CPU{Cores: 2} },
			check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
				if c := v.Spec.Domain.CPU; c.Sockets != 0 || c.Cores != 2 {
					t.Fatalf("topology %+v", c)
				}
			}},
		{name: "cpu model host-model", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.CPU.Model != "host-model" {
				t.Fatalf("model %q", v.Spec.Domain.CPU.Model)
			}
		}},
		{name: "guest memory from request", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.Memory.Guest.String() != "64Mi" {
				t.Fatalf("guest %s", v.Spec.Domain.Memory.Guest)
			}
		}},
		{name: "guest memory from limit", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Resources.Requests = nil
			v.Spec.Domain.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("96Mi")}
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.Memory.Guest.String() != "96Mi" {
				t.Fatalf("guest %s", v.Spec.Domain.Memory.Guest)
			}
		}},
		{name: "disk for every volume with sata bus", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			d := v.Spec.Domain.Devices.Disks
			if len(d) != 1 || d[0].Name != "root" || d[0].Disk == nil || d[0].Disk.Bus != virtv1.DiskBusSATA {
				t.Fatalf("disks %+v", d)
			}
		}},
		{name: "cdrom read-only sata", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root", Cdrom: &virtv1.CDRomTarget{}}}
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			c := v.Spec.Domain.Devices.Disks[0].Cdrom
			if c.Bus != virtv1.DiskBusSATA || c.Readonly == nil || !*c.Readonly || c.Tray != "closed" {
				t.Fatalf("cdrom %+v", c)
			}
		}},
		{name: "given bus kept", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.Devices.Disks[0].Disk.Bus != virtv1.DiskBusVirtio {
				t.Fatalf("disks %+v", v.Spec.Domain.Devices.Disks)
			}
		}},
		{name: "arm64 gets virtio and virt", mutate: func(v *virtv1.VirtualMachineInstance) { v.Spec.Architecture = "arm64" },
			check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
				if v.Spec.Domain.Devices.Disks[0].Disk.Bus != virtv1.DiskBusVirtio || v.Spec.Domain.Machine.Type != "virt" {
					t.Fatalf("disks %+v machine %+v", v.Spec.Domain.Devices.Disks, v.Spec.Domain.Machine)
				}
			}},
		{name: "default pod network with bridge", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			i, n := v.Spec.Domain.Devices.Interfaces, v.Spec.Networks
			if len(i) != 1 || i[0].Name != "default" || i[0].Bridge == nil || len(n) != 1 || n[0].Pod == nil {
				t.Fatalf("interfaces %+v networks %+v", i, n)
			}
			// virt-handler builds the defaulted bridge: the launcher is not root.
			if v.Status.RuntimeUser != 107 {
				t.Fatalf("runtimeUser %d, want 107 with a pod bridge", v.Status.RuntimeUser)
			}
		}},
		{name: "masquerade when configured", cfg: func(c *Config) { c.DefaultNetworkInterface = "masquerade" },
			check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
				if v.Spec.Domain.Devices.Interfaces[0].Masquerade == nil {
					t.Fatalf("interfaces %+v", v.Spec.Domain.Devices.Interfaces)
				}
				if v.Status.RuntimeUser != 107 {
					t.Fatalf("runtimeUser %d, want 107 with masquerade", v.Status.RuntimeUser)
				}
			}},
		{name: "runtimeUser set by the webhook, not the client", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.AutoattachPodInterface = ptr.To(false)
			v.Status.RuntimeUser = 4242
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Status.RuntimeUser != 107 {
				t.Fatalf("runtimeUser %d, want 107 without a pod bridge", v.Status.RuntimeUser)
			}
		}},
		{name: "no pod network when autoattach off", mutate: func(v *virtv1.VirtualMachineInstance) {
			v.Spec.Domain.Devices.AutoattachPodInterface = ptr.To(false)
		}, check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if len(v.Spec.Networks) != 0 || len(v.Spec.Domain.Devices.Interfaces) != 0 {
				t.Fatalf("networks %+v", v.Spec.Networks)
			}
		}},
		{name: "grace period 180", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if *v.Spec.TerminationGracePeriodSeconds != 180 {
				t.Fatalf("grace %d", *v.Spec.TerminationGracePeriodSeconds)
			}
		}},
		{name: "firmware uuid", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Domain.Firmware.UUID != fixedUUID() {
				t.Fatalf("firmware %+v", v.Spec.Domain.Firmware)
			}
		}},
		{name: "untagged image pulled always", check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
			if v.Spec.Volumes[0].ContainerDisk.ImagePullPolicy != corev1.PullAlways {
				t.Fatalf("pull policy %q", v.Spec.Volumes[0].ContainerDisk.ImagePullPolicy)
			}
		}},
		{name: "probe defaults", mutate: func(v *virtv1.VirtualMachineInstance) { v.Spec.ReadinessProbe = &virtv1.Probe{} },
			check: func(t *testing.T, v *virtv1.VirtualMachineInstance) {
				p := v.Spec.ReadinessProbe
				if p.TimeoutSeconds != 1 || p.PeriodSeconds != 10 || p.SuccessThreshold != 1 || p.FailureThreshold != 3 {
					t.Fatalf("probe %+v", p)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			vmi := minimalVMI()
			if tc.mutate != nil {
				tc.mutate(vmi)
			}
			DefaultVMI(vmi, cfg, now, fixedUUID)
			tc.check(t, vmi)
		})
	}
}

func TestDefaultVM(t *testing.T) {
	vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: minimalVMI().Spec}}}
	DefaultVM(vm, DefaultConfig(), fixedUUID)
	s := vm.Spec.Template.Spec
	if s.Architecture != "amd64" || s.Domain.Machine.Type != "q35" || s.Domain.Firmware.UUID != fixedUUID() {
		t.Fatalf("VM defaults: arch %q machine %+v firmware %+v", s.Architecture, s.Domain.Machine, s.Domain.Firmware)
	}
	if len(s.Domain.Devices.Disks) != 0 || s.Domain.CPU != nil || len(s.Networks) != 0 {
		t.Fatalf("VM got VMI-only defaults: %+v", s.Domain)
	}
}

func TestPullPolicy(t *testing.T) {
	for image, want := range map[string]corev1.PullPolicy{
		"cirros": corev1.PullAlways, "reg:5000/cirros": corev1.PullAlways, "cirros:latest": corev1.PullAlways,
		"reg:5000/cirros:v1": corev1.PullIfNotPresent, "cirros@sha256:abc": corev1.PullIfNotPresent,
	} {
		if got := pullPolicyFor(image); got != want {
			t.Errorf("%s: %s, want %s", image, got, want)
		}
	}
}
