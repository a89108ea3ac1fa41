package launcherpod

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
)

func podVolume(pod *corev1.Pod, name string) *corev1.Volume {
	for i := range pod.Spec.Volumes {
		if pod.Spec.Volumes[i].Name == name {
			return &pod.Spec.Volumes[i]
		}
	}
	return nil
}

func computeMount(pod *corev1.Pod, name string) *corev1.VolumeMount {
	for i, m := range pod.Spec.Containers[0].VolumeMounts {
		if m.Name == name {
			return &pod.Spec.Containers[0].VolumeMounts[i]
		}
	}
	return nil
}

func TestRenderVMIVolumes(t *testing.T) {
	tests := []struct {
		name  string
		vol   virtv1.Volume
		modes ClaimModes
		check func(t *testing.T, pod *corev1.Pod)
	}{{
		name: "filesystem claim mounted at its directory",
		vol:  virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "c1"}},
		check: func(t *testing.T, pod *corev1.Pod) {
			v, m := podVolume(pod, "vol-data"), computeMount(pod, "vol-data")
			if v == nil || v.PersistentVolumeClaim.ClaimName != "c1" || v.PersistentVolumeClaim.ReadOnly {
				t.Fatalf("volume %+v", v)
			}
			if m == nil || m.MountPath != VolumeMountPath+"/data" || m.ReadOnly {
				t.Fatalf("mount %+v", m)
			}
		},
	}, {
		name:  "filesystem claim's capacity passed to the launcher",
		vol:   virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "c1"}},
		modes: ClaimModes{"c1": {Capacity: 1 << 30}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if args := strings.Join(pod.Spec.Containers[0].Args, " "); !strings.Contains(args, "--claim-capacity data=1073741824") {
				t.Fatalf("args %q", args)
			}
		},
	}, {
		name: "read-only claim mounted read-only",
		vol: virtv1.Volume{Name: "ro", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
			ClaimName: "c2", ReadOnly: ptr(true)}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if v := podVolume(pod, "vol-ro"); v == nil || !v.PersistentVolumeClaim.ReadOnly {
				t.Fatalf("volume %+v", v)
			}
			if m := computeMount(pod, "vol-ro"); m == nil || !m.ReadOnly {
				t.Fatalf("mount %+v", m)
			}
		},
	}, {
		name:  "block claim is a device",
		vol:   virtv1.Volume{Name: "blk", DataVolume: &virtv1.DataVolumeSource{Name: "dv1"}},
		modes: ClaimModes{"dv1": {Block: true}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if v := podVolume(pod, "vol-blk"); v == nil || v.PersistentVolumeClaim.ClaimName != "dv1" {
				t.Fatalf("volume %+v", v)
			}
			devs := pod.Spec.Containers[0].VolumeDevices
			if len(devs) != 1 || devs[0].DevicePath != "/dev/blk" || computeMount(pod, "vol-blk") != nil {
				t.Fatalf("devices %+v", devs)
			}
		},
	}, {
		name: "hostDisk mounts the image's directory",
		vol: virtv1.Volume{Name: "hd", HostDisk: &virtv1.HostDisk{
			Path: "/var/lib/images/a.img", Type: "DiskOrCreate"}},
		check: func(t *testing.T, pod *corev1.Pod) {
			v := podVolume(pod, "vol-hd")
			if v == nil || v.HostPath.Path != "/var/lib/images" || *v.HostPath.Type != corev1.HostPathDirectoryOrCreate {
				t.Fatalf("volume %+v", v)
			}
			if m := computeMount(pod, "vol-hd"); m == nil || m.MountPath != VolumeMountPath+"/hd" {
				t.Fatalf("mount %+v", m)
			}
		},
	}, {
		name: "configMap projected read-only",
		vol:  virtv1.Volume{Name: "cfg", ConfigMap: &virtv1.ConfigMapVolumeSource{Name: "cm"}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if v := podVolume(pod, "vol-cfg"); v == nil || v.ConfigMap.Name != "cm" {
				t.Fatalf("volume %+v", v)
			}
			if m := computeMount(pod, "vol-cfg"); m == nil || !m.ReadOnly || m.MountPath != ConfigVolumeMountPath+"/cfg" {
				t.Fatalf("mount %+v", m)
			}
		},
	}, {
		name: "secret projected",
		vol:  virtv1.Volume{Name: "sec", Secret: &virtv1.SecretVolumeSource{SecretName: "s"}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if v := podVolume(pod, "vol-sec"); v == nil || v.Secret.SecretName != "s" {
				t.Fatalf("volume %+v", v)
			}
		},
	}, {
		name: "serviceAccount runs the pod as the account and projects its token",
		vol: virtv1.Volume{Name: "sa", ServiceAccount: &virtv1.ServiceAccountVolumeSource{
			ServiceAccountName: "robot"}},
		check: func(t *testing.T, pod *corev1.Pod) {
			v := podVolume(pod, "vol-sa")
			if v == nil || v.Projected == nil || v.Projected.Sources[0].ServiceAccountToken == nil || pod.Spec.ServiceAccountName != "robot" {
				t.Fatalf("volume %+v, account %q", v, pod.Spec.ServiceAccountName)
			}
		},
	}, {
		name: "downwardAPI fields projected",
		vol: virtv1.Volume{Name: "dw", DownwardAPI: &virtv1.DownwardAPIVolumeSource{
			Fields: []corev1.DownwardAPIVolumeFile{{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}}}}},
		check: func(t *testing.T, pod *corev1.Pod) {
			if v := podVolume(pod, "vol-dw"); v == nil || len(v.DownwardAPI.Items) != 1 {
				t.Fatalf("volume %+v", v)
			}
		},
	}, {
		name: "cloud-init Secrets mounted apart",
		vol: virtv1.Volume{Name: "ci", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{
			SecretRef: &corev1.LocalObjectReference{Name: "u"}, NetworkDataSecretRef: &corev1.LocalObjectReference{Name: "n"}}},
		check: func(t *testing.T, pod *corev1.Pod) {
			u, n := podVolume(pod, "vol-ci-userdata"), podVolume(pod, "vol-ci-networkdata")
			if u == nil || u.Secret.SecretName != "u" || n == nil || n.Secret.SecretName != "n" {
				t.Fatalf("volumes %+v %+v", u, n)
			}
			if m := computeMount(pod, "vol-ci-userdata"); m == nil || m.MountPath != ConfigVolumeMountPath+"/ci.userdata" {
				t.Fatalf("mount %+v", m)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vmi := baseVMI()
			vmi.Spec.Volumes = []virtv1.Volume{tc.vol}
			pod := RenderWithClaims(vmi, Config{}, tc.modes)
			tc.check(t, pod)
			args := strings.Join(pod.Spec.Containers[0].Args, " ")
			want := "--pvc-dir " + VolumeMountPath + " --block-dir /dev --config-volume-dir " + ConfigVolumeMountPath
			if !strings.Contains(args, want) {
				t.Errorf("args %q lack %q", args, want)
			}
		})
	}
}

func TestPodVolumeNameFits(t *testing.T) {
	long := "a23456789012345678901234567890123456789012345678901234567890123"
	if n := podVolumeName(long); len(n) > 63 || n == podVolumeName(long[:62]+"b") {
		t.Errorf("podVolumeName = %q", n)
	}
}

func TestLookupClaims(t *testing.T) {
	block := corev1.PersistentVolumeBlock
	kube := fake.NewSimpleClientset(
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "bound", Namespace: "ns"},
			Spec: corev1.PersistentVolumeClaimSpec{VolumeMode: &block}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound,
				Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "pending", Namespace: "ns"},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "wffc", Namespace: "ns"},
			Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr("late"),
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}},
		&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "late"}, Provisioner: "p",
			VolumeBindingMode: ptr(storagev1.VolumeBindingWaitForFirstConsumer)})
	claim := func(name string) virtv1.Volume {
		return virtv1.Volume{Name: "v", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: name}}
	}
	for _, tc := range []struct{ claim, reason string }{
		{"bound", ""}, {"wffc", ""}, {"pending", ReasonPVCNotBound}, {"gone", ReasonPVCNotFound},
	} {
		vmi := baseVMI()
		vmi.Spec.Volumes = []virtv1.Volume{claim(tc.claim)}
		modes, err := LookupClaims(context.Background(), kube, vmi)
		ce, isClaim := AsClaimError(err)
		switch {
		case tc.claim == "bound" && (err != nil || modes["bound"] != Claim{Block: true, Capacity: 1 << 30}):
			t.Errorf("%s: modes %v, %v", tc.claim, modes, err)
		case tc.claim == "wffc" && (err != nil || modes["wffc"] != Claim{Capacity: 2 << 30}):
			t.Errorf("%s: modes %v, %v", tc.claim, modes, err)
		case tc.reason != "" && (!isClaim || ce.Reason != tc.reason):
			t.Errorf("%s: err %v, want reason %s", tc.claim, err, tc.reason)
		}
	}
}
