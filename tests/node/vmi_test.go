package node

import (
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

const (
	bootMarker      = "KVIRT-GUEST-BOOTED"
	cloudInitOutput = "printed from cloud-init userdata"
	userData        = "#!/bin/sh\necho 'printed from cloud-init userdata'\n"
)

// guestVMI is a VMI with a cloud-init seed; boot adds the boot disk or kernel.
func guestVMI(name string) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{
		TypeMeta:   metav1.TypeMeta{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachineInstance"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(uuid.NewUUID())},
	}
	vmi.Spec.TerminationGracePeriodSeconds = ptr.To[int64](30)
	vmi.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "cloudinit", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
	vmi.Spec.Volumes = []virtv1.Volume{{Name: "cloudinit",
		CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: userData}}}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}}
	return vmi
}

// kernelBootVMI boots the guest kernel and initramfs directly.
func kernelBootVMI(name string) *virtv1.VirtualMachineInstance {
	vmi := guestVMI(name)
	vmi.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{
		KernelArgs: "console=ttyS0 panic=-1",
		Container: &virtv1.KernelBootContainer{Image: "kvirt/test-guest-kernel",
			KernelPath: "/vmlinuz", InitrdPath: "/initrd.img"},
	}}
	return vmi
}

// diskVMI boots the guest's disk image from a containerDisk.
func diskVMI(name string) *virtv1.VirtualMachineInstance {
	vmi := guestVMI(name)
	vmi.Spec.Domain.Devices.Disks = append([]virtv1.Disk{{Name: "rootdisk", BootOrder: ptr.To[int32](1),
		Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}, vmi.Spec.Domain.Devices.Disks...)
	vmi.Spec.Volumes = append(vmi.Spec.Volumes, virtv1.Volume{Name: "rootdisk",
		ContainerDisk: &virtv1.ContainerDiskSource{Image: "kvirt/test-guest-disk"}})
	return vmi
}

// containerDisks lays the guest disk out like a mounted containerDisk image.
func containerDisks(t *testing.T, env *nodeenv.Env, volume string) string {
	t.Helper()
	dir := nodeenv.ShortTempDir(t)
	if err := os.MkdirAll(filepath.Join(dir, volume, "disk"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(env.GuestDir, "disk.img"), filepath.Join(dir, volume, "disk", "disk.img")); err != nil {
		t.Fatal(err)
	}
	return dir
}
