package vmi

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
)

func storageVMI() *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vmi", Namespace: "ns"}}
	vmi.Spec.Volumes = []virtv1.Volume{
		{Name: "root", DataVolume: &virtv1.DataVolumeSource{Name: "root-dv"}},
		{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "data-pvc"}},
		{Name: "cd", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}},
	}
	return vmi
}

func dvIn(p cdiv1beta1.DataVolumePhase) *cdiv1beta1.DataVolume {
	return &cdiv1beta1.DataVolume{ObjectMeta: metav1.ObjectMeta{Name: "root-dv"}, Status: cdiv1beta1.DataVolumeStatus{Phase: p}}
}

func TestDataVolumesReady(t *testing.T) {
	noDV := storageVMI()
	noDV.Spec.Volumes = noDV.Spec.Volumes[1:]
	cases := []struct {
		name         string
		vmi          *virtv1.VirtualMachineInstance
		s            Storage
		want, reason string
		msg          string
	}{
		{name: "no dataVolume volume", vmi: noDV, s: Storage{DataVolumesServed: true}},
		{name: "api not served", vmi: storageVMI(), want: "False", reason: ReasonNotAllDVsReady, msg: "no DataVolume API"},
		{name: "missing", vmi: storageVMI(), s: Storage{DataVolumesServed: true}, want: "False", reason: ReasonNotAllDVsReady, msg: "root-dv (not found)"},
		{name: "importing", vmi: storageVMI(), s: Storage{DataVolumesServed: true,
			DataVolumes: map[string]*cdiv1beta1.DataVolume{"root-dv": dvIn(cdiv1beta1.ImportInProgress)}},
			want: "False", reason: ReasonNotAllDVsReady, msg: "root-dv (ImportInProgress)"},
		{name: "succeeded", vmi: storageVMI(), s: Storage{DataVolumesServed: true,
			DataVolumes: map[string]*cdiv1beta1.DataVolume{"root-dv": dvIn(cdiv1beta1.Succeeded)}}, want: "True", reason: ReasonAllDVsReady},
		{name: "datavolume gone, claim left", vmi: storageVMI(), s: Storage{DataVolumesServed: true,
			Claims: map[string]*corev1.PersistentVolumeClaim{"root-dv": {}}}, want: "True", reason: ReasonAllDVsReady},
		{name: "datavolume not seen, claim still owned by it", vmi: storageVMI(), s: Storage{DataVolumesServed: true,
			Claims: map[string]*corev1.PersistentVolumeClaim{"root-dv": {ObjectMeta: metav1.ObjectMeta{
				OwnerReferences: []metav1.OwnerReference{{Kind: "DataVolume", Name: "root-dv"}}}}}},
			want: "False", reason: ReasonNotAllDVsReady, msg: "root-dv (not found)"},
		{name: "wffc", vmi: storageVMI(), s: Storage{DataVolumesServed: true,
			DataVolumes: map[string]*cdiv1beta1.DataVolume{"root-dv": dvIn(cdiv1beta1.WaitForFirstConsumer)}}, want: "True", reason: ReasonAllDVsReady},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DataVolumesReady(tc.vmi, tc.s, metav1.Now())
			if tc.want == "" {
				if c != nil {
					t.Fatalf("condition %+v, want none", c)
				}
				return
			}
			if c == nil || c.Status != tc.want || c.Reason != tc.reason || !strings.Contains(c.Message, tc.msg) {
				t.Fatalf("condition %+v, want %s %s containing %q", c, tc.want, tc.reason, tc.msg)
			}
		})
	}
}

func TestObserveStorage(t *testing.T) {
	vmi := storageVMI()
	then := metav1.NewTime(metav1.Now().Add(-3600e9))
	vmi.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{
		{Type: virtv1.VirtualMachineInstanceSynchronized, Status: "False", Reason: "x"},
		{Type: virtv1.VirtualMachineInstanceDataVolumesReady, Status: "True", LastTransitionTime: then},
	}
	vmi.Status.VolumeStatus = []virtv1.VolumeStatus{
		{Name: "root"}, {Name: "cd", Target: "vdb"}, {Name: "hotplugged", Target: "sdb"},
	}
	// The claims' targets come from the disks (as the launcher names them).
	vmi.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root"}, {Name: "cd"},
		{Name: "data", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusSATA}}}
	block := corev1.PersistentVolumeBlock
	claims := map[string]*corev1.PersistentVolumeClaim{
		"root-dv": {
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1084Mi")}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound,
				Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}},
		},
		"data-pvc": {Spec: corev1.PersistentVolumeClaimSpec{VolumeMode: &block}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}},
	}
	ready := ObserveStorage(vmi, Storage{DataVolumesServed: true, Claims: claims,
		DataVolumes: map[string]*cdiv1beta1.DataVolume{"root-dv": dvIn(cdiv1beta1.Succeeded)}}, metav1.Now())
	if !ready {
		t.Error("not ready")
	}
	if len(vmi.Status.Conditions) != 2 || vmi.Status.Conditions[0].Reason != "x" ||
		!vmi.Status.Conditions[1].LastTransitionTime.Equal(&then) || vmi.Status.Conditions[1].Reason != ReasonAllDVsReady {
		t.Errorf("conditions %+v", vmi.Status.Conditions)
	}
	st := vmi.Status.VolumeStatus
	if len(st) != 4 || st[0].Name != "root" || st[1].Name != "data" || st[2].Name != "cd" || st[3].Name != "hotplugged" {
		t.Fatalf("volume status %+v", st)
	}
	root := st[0]
	info := root.PersistentVolumeClaimInfo
	switch {
	case root.Target != "vda" || root.Phase != VolumeBound || root.Size != 2<<30:
		t.Errorf("root %+v", root)
	case info == nil || info.ClaimName != "root-dv" || info.FilesystemOverhead != "0.055" || len(info.AccessModes) != 1 ||
		info.AccessModes[0] != "ReadWriteOnce":
		t.Errorf("root claim info %+v", info)
	case !sameQuantity(info.Requests["storage"], "1084Mi") || !sameQuantity(info.Capacity["storage"], "2Gi"):
		t.Errorf("root quantities %v %v", info.Requests, info.Capacity)
	}
	data := st[1]
	if data.Target != "sda" || data.Phase != VolumePending || data.Size != 0 || data.PersistentVolumeClaimInfo == nil ||
		data.PersistentVolumeClaimInfo.FilesystemOverhead != "" || *data.PersistentVolumeClaimInfo.VolumeMode != block {
		t.Errorf("data %+v", data)
	}
	if st[2].Target != "vdb" || st[2].PersistentVolumeClaimInfo != nil {
		t.Errorf("containerDisk entry changed: %+v", st[2])
	}
}

func TestObserveStorageMissingClaim(t *testing.T) {
	vmi := storageVMI()
	if ObserveStorage(vmi, Storage{DataVolumesServed: true}, metav1.Now()) {
		t.Error("ready without its DataVolume")
	}
	root := vmi.Status.VolumeStatus[0]
	if root.Phase != VolumePending || root.Reason != "PVCNotFound" || root.PersistentVolumeClaimInfo != nil {
		t.Errorf("root %+v", root)
	}
}

func TestHoldPending(t *testing.T) {
	vmi := storageVMI()
	out := HoldPending(vmi, metav1.Now())
	if out.Status.Phase != virtv1.Pending || len(out.Finalizers) != 1 || vmi.Status.Phase != "" {
		t.Errorf("held %+v %v, input phase %q", out.Status.Phase, out.Finalizers, vmi.Status.Phase)
	}
}

func sameQuantity(q resource.Quantity, want string) bool { return q.Cmp(resource.MustParse(want)) == 0 }
