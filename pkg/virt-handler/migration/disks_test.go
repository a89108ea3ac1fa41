package migration

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

const targetDomain = `<domain type='qemu'><devices>
<disk type='file' device='disk'><source file='/var/run/kvirt-private/containerdisk.qcow2'/><target dev='vda' bus='virtio'/><alias name='ua-containerdisk'/></disk>
<disk type='file' device='disk'><source file='/var/run/kvirt-private/cloudinitdisk-nocloud.iso'/><target dev='vdb' bus='virtio'/><alias name='ua-cloudinitdisk'/></disk>
<disk type='file' device='disk'><source file='/var/run/kvirt-private/scratch.qcow2'/><target dev='vdc' bus='virtio'/><alias name='ua-scratch'/></disk>
<disk type='block' device='disk'><source dev='/dev/shared'/><target dev='vdd' bus='virtio'/><alias name='ua-shared'/></disk>
</devices></domain>`

func volumesVMI(vols ...virtv1.Volume) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Spec.Volumes = vols
	return vmi
}

func TestCopyDisks(t *testing.T) {
	all := volumesVMI(
		virtv1.Volume{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: "x"}},
		virtv1.Volume{Name: "cloudinitdisk", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{}},
		virtv1.Volume{Name: "scratch", EmptyDisk: &virtv1.EmptyDiskSource{}},
		virtv1.Volume{Name: "shared", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{}},
	)
	got, err := CopyDisks(all, []byte(targetDomain))
	if err != nil || !slices.Equal(got, []string{"vda", "vdc"}) {
		t.Errorf("CopyDisks = %v, %v; want [vda vdc]", got, err)
	}
	if got, err := CopyDisks(volumesVMI(all.Spec.Volumes[1]), []byte("not xml")); err != nil || got != nil {
		t.Errorf("nothing local: %v, %v", got, err)
	}
	missing := volumesVMI(virtv1.Volume{Name: "other", EmptyDisk: &virtv1.EmptyDiskSource{}})
	if _, err := CopyDisks(missing, []byte(targetDomain)); err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("a local disk missing from the target: %v", err)
	}
}

func TestGuestBytes(t *testing.T) {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Spec.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}
	if got := GuestBytes(vmi); got != 128<<20 {
		t.Errorf("from requests: %d", got)
	}
	guest := resource.MustParse("1Gi")
	vmi.Spec.Domain.Memory = &virtv1.Memory{Guest: &guest}
	if got := GuestBytes(vmi); got != 1<<30 {
		t.Errorf("from memory.guest: %d", got)
	}
}
