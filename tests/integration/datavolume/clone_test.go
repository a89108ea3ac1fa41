package datavolume

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// TestCloneFromDataSourceAndRefusals: a DataVolume whose sourceRef names a
// DataSource waits (Pending, CloneWithoutSource) until the DataSource's claim
// exists, then gets a claim sized like the source and a clone pod reading the
// source read-only (CloneScheduled → CloneInProgress → Succeeded); a
// DataVolume whose name is taken by a claim it does not own is refused with
// ErrResourceExists and leaves that claim alone; a cross-namespace clone fails.
func TestCloneFromDataSourceAndRefusals(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	progress := startProgressServer(t)
	startController(t, c, progress.port)
	ctx := context.Background()
	ds := &cdiv1beta1.DataSource{ObjectMeta: metav1.ObjectMeta{Name: "fedora", Namespace: ns},
		Spec: cdiv1beta1.DataSourceSpec{Source: cdiv1beta1.DataSourceSource{PVC: &cdiv1beta1.DataVolumeSourcePVC{Namespace: ns, Name: "golden"}}}}
	if _, err := c.kvirt.CdiV1beta1().DataSources(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dv := &cdiv1beta1.DataVolume{ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: ns},
		Spec: cdiv1beta1.DataVolumeSpec{SourceRef: &cdiv1beta1.DataVolumeSourceRef{Kind: "DataSource", Name: "fedora"},
			Storage: &cdiv1beta1.StorageSpec{}}}
	dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx, dv, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, wait, "waiting for the source", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.Pending, "N/A", 0, cond("Running", "False", "CloneWithoutSource", "source PVC "+ns+"/golden not found"))
	}))
	block := corev1.PersistentVolumeBlock
	golden := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "golden", Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, VolumeMode: &block,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}}}}
	if _, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Create(ctx, golden, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := waitPod(t, c, ns, "", "0")
	ctr := pod.Spec.Containers[0]
	args := strings.Join(ctr.Args, " ")
	if !strings.Contains(args, "--source=pvc") || !strings.Contains(args, "--source-path=/dev/cdi-source-block") ||
		!strings.Contains(args, "--dest=/data/disk.img") || len(ctr.VolumeDevices) != 1 || pod.Spec.Volumes[1].PersistentVolumeClaim == nil ||
		pod.Spec.Volumes[1].PersistentVolumeClaim.ClaimName != "golden" || !pod.Spec.Volumes[1].PersistentVolumeClaim.ReadOnly {
		t.Errorf("clone pod args %q devices %+v volumes %+v", args, ctr.VolumeDevices, pod.Spec.Volumes)
	}
	claim, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "disk", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 2Gi from the source plus the filesystem overhead of the Filesystem target.
	if size := claim.Spec.Resources.Requests[corev1.ResourceStorage]; size.Cmp(resource.MustParse("2168Mi")) != 0 ||
		claim.Annotations["cdi.kubevirt.io/storage.cloneRequest"] != ns+"/golden" {
		t.Errorf("clone claim size %s annotations %v", size.String(), claim.Annotations)
	}
	eventually(t, wait, "CloneScheduled", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.CloneScheduled, "N/A", 0)
	}))
	progress.set("12.5")
	setPod(t, c, pod, runningStatus)
	eventually(t, wait, "CloneInProgress", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.CloneInProgress, "12.50%", 0, cond("Running", "True", "Pod is running"))
	}))
	setPod(t, c, pod, succeededStatus)
	eventually(t, wait, "clone Succeeded", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.Succeeded, "100.0%", 0, cond("Ready", "True", ""))
	}))
	eventually(t, wait, "clone events", eventsRecorded(c, ns, "disk", "CloneScheduled", "CloneInProgress", "CloneSucceeded="+ns+"/golden"))

	refusals(t, c, ns)
}

// refusals: a taken claim name and a cross-namespace clone.
func refusals(t *testing.T, c clients, ns string) {
	t.Helper()
	ctx := context.Background()
	taken := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "taken", Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if _, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Create(ctx, taken, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	blank := &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}}
	other := &cdiv1beta1.DataVolumeSource{PVC: &cdiv1beta1.DataVolumeSourcePVC{Namespace: "elsewhere", Name: "golden"}}
	for name, src := range map[string]*cdiv1beta1.DataVolumeSource{"taken": blank, "cross": other} {
		dv := &cdiv1beta1.DataVolume{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: cdiv1beta1.DataVolumeSpec{Source: src,
			Storage: &cdiv1beta1.StorageSpec{Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}}
		if _, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx, dv, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, wait, "taken name refused", func() error {
		dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Get(ctx, "taken", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cnd := range dv.Status.Conditions {
			if cnd.Type == "Bound" && cnd.Reason == "ErrResourceExists" && dv.Status.Phase == cdiv1beta1.Pending {
				return nil
			}
		}
		return fmt.Errorf("status %+v", dv.Status)
	})
	eventually(t, wait, "cross-namespace clone failed", func() error {
		dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Get(ctx, "cross", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if dv.Status.Phase != cdiv1beta1.Failed {
			return fmt.Errorf("status %+v", dv.Status)
		}
		return nil
	})
	claim, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "taken", metav1.GetOptions{})
	if err != nil || len(claim.OwnerReferences) != 0 {
		t.Errorf("taken claim changed: %v %+v", err, claim)
	}
	for _, name := range []string{"importer-taken", "importer-cross"} {
		if _, err := c.kube.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("pod %s of a refused DataVolume: %v", name, err)
		}
	}
}
