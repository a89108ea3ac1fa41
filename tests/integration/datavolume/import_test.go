package datavolume

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/virt-controller/datavolume"
)

const wait = 60 * time.Second

// TestHTTPImport: an http DataVolume gets its claim (1Gi plus 5.5% filesystem
// overhead, owned by it) and an importer pod rendered as the importer
// contract says; the pod's progress shows in status.progress; two failures
// are counted in restartCount with the termination message in the Running
// condition, each followed by a new pod; the third attempt succeeds and the
// DataVolume is Succeeded with Ready, and Events record each step.
func TestHTTPImport(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	progress := startProgressServer(t)
	startController(t, c, progress.port)
	ctx := context.Background()
	dv := &cdiv1beta1.DataVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: ns},
		Spec: cdiv1beta1.DataVolumeSpec{
			Source: &cdiv1beta1.DataVolumeSource{HTTP: &cdiv1beta1.DataVolumeSourceHTTP{
				URL: "http://images.example/guest.qcow2", SecretRef: "creds", CERTConfigMap: "ca"}},
			Storage: &cdiv1beta1.StorageSpec{Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		},
	}
	dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx, dv, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	claim := waitClaim(t, c, dv)
	pod := waitPod(t, c, ns, "", "0")
	checkImporterPod(t, pod, progress.port)
	eventually(t, wait, "ImportScheduled", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.ImportScheduled, "N/A", 0, cond("Bound", "False", "Pending"), cond("Running", "False", ""))
	}))

	// The scheduler binds the claim, the kubelet runs the importer.
	claim.Status.Phase = corev1.ClaimBound
	if _, err := c.kube.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, claim, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	progress.set("45.2")
	setPod(t, c, pod, runningStatus)
	eventually(t, wait, "ImportInProgress at 45.20%", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.ImportInProgress, "45.20%", 0, cond("Bound", "True", "Bound"),
			cond("Running", "True", "Pod is running"), cond("Ready", "False", "TransferRunning"))
	}))
	progress.set("60")
	eventually(t, wait, "progress 60.00%", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.ImportInProgress, "60.00%", 0)
	}))

	// Two failures, each counted once and followed by a new attempt.
	for attempt := 1; attempt <= 2; attempt++ {
		msg := fmt.Sprintf("unable to connect to http://images.example: attempt %d refused", attempt)
		setPod(t, c, pod, failedStatus(msg))
		eventually(t, wait, fmt.Sprintf("failure %d counted", attempt), status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
			return expect(st, cdiv1beta1.ImportInProgress, "", int32(attempt))
		}))
		next := waitPod(t, c, ns, pod.UID, fmt.Sprint(attempt))
		checkImporterPod(t, next, progress.port)
		// The failure stays on the Running condition until the new pod reports.
		eventually(t, wait, "failure still reported", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
			return expect(st, cdiv1beta1.ImportInProgress, "N/A", int32(attempt), cond("Running", "False", "Error", msg))
		}))
		pod = next
		setPod(t, c, pod, runningStatus)
		eventually(t, wait, "running again", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
			return expect(st, cdiv1beta1.ImportInProgress, "", int32(attempt), cond("Running", "True", "Pod is running"))
		}))
	}

	setPod(t, c, pod, succeededStatus)
	eventually(t, wait, "Succeeded", status(c, dv, func(st cdiv1beta1.DataVolumeStatus) error {
		return expect(st, cdiv1beta1.Succeeded, "100.0%", 2, cond("Ready", "True", ""), cond("Running", "False", "Completed"),
			cond("Bound", "True", "Bound"))
	}))
	eventually(t, wait, "importer pod removed", func() error {
		pods, err := c.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(pods.Items) != 0 {
			return fmt.Errorf("%d pods left", len(pods.Items))
		}
		return nil
	})
	eventually(t, wait, "events", eventsRecorded(c, ns, dv.Name,
		"ImportScheduled", "Bound", "ImportInProgress", "ErrImportFailed=attempt 1 refused", "ErrImportFailed=attempt 2 refused",
		"ImportSucceeded"))
}

func waitClaim(t *testing.T, c clients, dv *cdiv1beta1.DataVolume) *corev1.PersistentVolumeClaim {
	t.Helper()
	var claim *corev1.PersistentVolumeClaim
	eventually(t, wait, "claim of "+dv.Name, func() error {
		var err error
		claim, err = c.kube.CoreV1().PersistentVolumeClaims(dv.Namespace).Get(context.Background(), dv.Name, metav1.GetOptions{})
		return err
	})
	size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	ref := metav1.GetControllerOf(claim)
	if size.Cmp(resource.MustParse("1084Mi")) != 0 || ref == nil || ref.UID != dv.UID || ref.Kind != "DataVolume" ||
		!reflect.DeepEqual(claim.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) ||
		claim.Spec.VolumeMode == nil || *claim.Spec.VolumeMode != corev1.PersistentVolumeFilesystem ||
		claim.Annotations[datavolume.AnnSource] != "http" || claim.Annotations[datavolume.AnnEndpoint] != "http://images.example/guest.qcow2" {
		t.Errorf("claim: size %s owner %+v modes %v volume mode %v annotations %v", size.String(), ref, claim.Spec.AccessModes,
			claim.Spec.VolumeMode, claim.Annotations)
	}
	return claim
}

// waitPod waits for the importer pod of attempt that is not the pod notUID.
func waitPod(t *testing.T, c clients, ns string, notUID types.UID, attempt string) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	eventually(t, wait, "importer pod attempt "+attempt, func() error {
		p, err := c.kube.CoreV1().Pods(ns).Get(context.Background(), "importer-disk", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.UID == notUID || p.Annotations[datavolume.AnnAttempt] != attempt {
			return fmt.Errorf("pod %s attempt %s", p.UID, p.Annotations[datavolume.AnnAttempt])
		}
		pod = p
		return nil
	})
	return pod
}
