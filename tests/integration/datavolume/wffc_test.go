package datavolume

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// TestHonorWaitForFirstConsumer: with HonorWaitForFirstConsumer, a DataVolume
// whose StorageClass binds on first use is WaitForFirstConsumer without an
// importer pod until the scheduler picks a node for its claim, then imports.
func TestHonorWaitForFirstConsumer(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	startController(t, c, startProgressServer(t).port, true)
	ctx := context.Background()
	mode := storagev1.VolumeBindingWaitForFirstConsumer
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "wffc-" + ns}, Provisioner: "example.com/none", VolumeBindingMode: &mode}
	if _, err := c.kube.StorageV1().StorageClasses().Create(ctx, class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.kube.StorageV1().StorageClasses().Delete(context.Background(), class.Name, metav1.DeleteOptions{})
	})
	dv := &cdiv1beta1.DataVolume{ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: ns},
		Spec: cdiv1beta1.DataVolumeSpec{Source: &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}},
			Storage: &cdiv1beta1.StorageSpec{StorageClassName: class.Name, Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}}
	dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx, dv, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The claim is created first; the phase follows once the cache has it.
	eventually(t, wait, "WaitForFirstConsumer", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.WaitForFirstConsumer, "N/A", 0, cond("Bound", "False", "Pending"))
	}))
	if _, err := c.kube.CoreV1().Pods(ns).Get(ctx, "importer-disk", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("importer pod while waiting for a consumer: %v", err)
	}
	eventually(t, wait, "scheduler selects a node", func() error {
		claim, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "disk", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if claim.Annotations == nil {
			return fmt.Errorf("claim without annotations")
		}
		claim.Annotations["volume.kubernetes.io/selected-node"] = "node-1"
		_, err = c.kube.CoreV1().PersistentVolumeClaims(ns).Update(ctx, claim, metav1.UpdateOptions{})
		return err
	})
	waitPod(t, c, ns, "", "0")
	eventually(t, wait, "ImportScheduled", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.ImportScheduled, "N/A", 0)
	}))
}
