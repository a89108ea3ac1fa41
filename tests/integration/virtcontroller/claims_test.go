package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// TestClaimsOfTheLauncherPod: a VM whose claim does not exist shows
// ErrorPvcNotFound, one whose claim is not bound WaitingForVolumeBinding, and
// once the claim is Bound its launcher pod mounts it (Filesystem) or has it as
// a device (Block). virt-controller runs with the RBAC virt-operator installs.
func TestClaimsOfTheLauncherPod(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	block := corev1.PersistentVolumeBlock
	for _, tc := range []struct {
		name string
		mode *corev1.PersistentVolumeMode
	}{{"fs-claim", nil}, {"block-claim", &block}} {
		vm := testVM(ns, tc.name, virtv1.RunStrategyAlways)
		spec := &vm.Spec.Template.Spec
		spec.Domain.Devices.Disks = append(spec.Domain.Devices.Disks, virtv1.Disk{Name: "data"})
		spec.Volumes = append(spec.Volumes, virtv1.Volume{Name: "data",
			PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: tc.name}})
		if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, 2*time.Minute, tc.name+" ErrorPvcNotFound", printable(c, ns, tc.name, virtv1.VirtualMachineStatusPvcNotFound))
		pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: tc.name, Namespace: ns},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				VolumeMode: tc.mode, Resources: corev1.VolumeResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
		pvc, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 2*time.Minute, tc.name+" WaitingForVolumeBinding",
			printable(c, ns, tc.name, virtv1.VirtualMachineStatusWaitingForVolumeBinding))
		pvc.Status.Phase = corev1.ClaimBound
		if _, err := c.kube.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		uid := vmiUID(t, c, ns, tc.name, "")
		// The controller notices the bound claim at its next retry (backoff).
		eventually(t, 3*time.Minute, tc.name+" launcher pod created", func() error {
			pods, err := c.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: virtv1.CreatedByLabel + "=" + string(uid)})
			if err != nil {
				return err
			}
			if len(pods.Items) == 0 {
				return fmt.Errorf("no pod yet")
			}
			return nil
		})
		pod := launcherPod(t, c, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tc.name, UID: uid}})
		if err := claimRendered(pod, tc.name, tc.mode != nil); err != nil {
			t.Error(err)
		}
		eventually(t, 2*time.Minute, tc.name+" Starting", printable(c, ns, tc.name, virtv1.VirtualMachineStatusStarting))
	}
}

func claimRendered(pod *corev1.Pod, claim string, block bool) error {
	found := false
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim && v.Name == "vol-data" {
			found = true
		}
	}
	ctr := pod.Spec.Containers[0]
	mounted := false
	for _, m := range ctr.VolumeMounts {
		mounted = mounted || m.Name == "vol-data"
	}
	device := len(ctr.VolumeDevices) == 1 && ctr.VolumeDevices[0].DevicePath == "/dev/data"
	if !found || mounted == block || device != block {
		return fmt.Errorf("claim %s (block %v): volume %v, mounted %v, devices %+v", claim, block, found, mounted, ctr.VolumeDevices)
	}
	return nil
}
