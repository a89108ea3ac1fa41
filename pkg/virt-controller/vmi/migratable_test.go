package vmi

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func claimWith(name string, modes ...corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: modes}}
}

func TestLiveMigratable(t *testing.T) {
	rwx := Storage{Claims: map[string]*corev1.PersistentVolumeClaim{
		"root-dv": claimWith("root-dv", corev1.ReadWriteMany), "data-pvc": claimWith("data-pvc", corev1.ReadWriteOnce, corev1.ReadWriteMany)}}
	rwo := Storage{Claims: map[string]*corev1.PersistentVolumeClaim{
		"root-dv": claimWith("root-dv", corev1.ReadWriteMany), "data-pvc": claimWith("data-pvc", corev1.ReadWriteOnce)}}
	missing := Storage{Claims: map[string]*corev1.PersistentVolumeClaim{"root-dv": claimWith("root-dv", corev1.ReadWriteMany)}}
	local := func() *virtv1.VirtualMachineInstance {
		vmi := &virtv1.VirtualMachineInstance{}
		vmi.Spec.Volumes = []virtv1.Volume{
			{Name: "cd", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}},
			{Name: "scratch", EmptyDisk: &virtv1.EmptyDiskSource{}},
		}
		return vmi
	}
	hostDisk := func(shared *bool) *virtv1.VirtualMachineInstance {
		vmi := local()
		vmi.Spec.Volumes = append(vmi.Spec.Volumes, virtv1.Volume{Name: "hd",
			HostDisk: &virtv1.HostDisk{Path: "/d.img", Type: "DiskOrCreate", Shared: shared}})
		return vmi
	}
	bridge := func(annotated bool) *virtv1.VirtualMachineInstance {
		vmi := local()
		vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}},
			{Name: "sec", Multus: &virtv1.MultusNetwork{NetworkName: "br"}}}
		vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{
			{Name: "default", Bridge: &virtv1.InterfaceBridge{}},
			{Name: "sec", Bridge: &virtv1.InterfaceBridge{}}}
		if annotated {
			vmi.Annotations = map[string]string{AllowPodBridgeMigrationAnnotation: ""}
		}
		return vmi
	}
	secondaryBridge := bridge(false)
	secondaryBridge.Spec.Domain.Devices.Interfaces[0] = virtv1.Interface{Name: "default",
		Masquerade: &virtv1.InterfaceMasquerade{}}
	cases := []struct {
		name   string
		vmi    *virtv1.VirtualMachineInstance
		s      Storage
		reason string
		msg    string
	}{
		{name: "local disks are copied", vmi: local()},
		{name: "shared claims", vmi: storageVMI(), s: rwx},
		{name: "a ReadWriteOnce claim", vmi: storageVMI(), s: rwo, reason: ReasonDisksNotLiveMigratable, msg: "PVC data-pvc is not shared"},
		{name: "a claim not seen", vmi: storageVMI(), s: missing, reason: ReasonDisksNotLiveMigratable, msg: "PVC data-pvc is not found"},
		{name: "a shared hostDisk", vmi: hostDisk(ptr.To(true))},
		{name: "a hostDisk not shared", vmi: hostDisk(nil), reason: ReasonDisksNotLiveMigratable, msg: "hostDisk volume hd"},
		{name: "bridge on the pod network", vmi: bridge(false), reason: ReasonInterfaceNotLiveMigratable, msg: "interface default"},
		{name: "bridge on the pod network, annotated", vmi: bridge(true)},
		{name: "bridge on a secondary network only", vmi: secondaryBridge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := LiveMigratable(tc.vmi, tc.s)
			if c.Type != virtv1.VirtualMachineInstanceIsMigratable {
				t.Fatalf("type %q", c.Type)
			}
			want := "True"
			if tc.reason != "" {
				want = "False"
			}
			if c.Status != want || c.Reason != tc.reason || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("got %s/%s %q, want %s/%s containing %q", c.Status, c.Reason, c.Message, want, tc.reason, tc.msg)
			}
		})
	}
}

func TestObserveLiveMigratableKeepsTransitionTime(t *testing.T) {
	vmi := storageVMI()
	t0, t1 := metav1.Unix(100, 0), metav1.Unix(200, 0)
	rwo := Storage{Claims: map[string]*corev1.PersistentVolumeClaim{
		"root-dv": claimWith("root-dv", corev1.ReadWriteMany), "data-pvc": claimWith("data-pvc", corev1.ReadWriteOnce)}}
	ObserveLiveMigratable(vmi, rwo, t0)
	ObserveLiveMigratable(vmi, rwo, t1)
	if c := condition(vmi, virtv1.VirtualMachineInstanceIsMigratable); c == nil || !c.LastTransitionTime.Equal(&t0) {
		t.Fatalf("transition time not kept: %+v", c)
	}
	rwo.Claims["data-pvc"] = claimWith("data-pvc", corev1.ReadWriteMany)
	ObserveLiveMigratable(vmi, rwo, t1)
	if c := condition(vmi, virtv1.VirtualMachineInstanceIsMigratable); c.Status != "True" || !c.LastTransitionTime.Equal(&t1) {
		t.Fatalf("after the claim became shared: %+v", c)
	}
	if n := len(vmi.Status.Conditions); n != 1 {
		t.Fatalf("%d conditions, want 1 (merged by type)", n)
	}
}
