package launcherpod

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	virtv1 "kvirt.io/api/core/v1"
)

// Reasons a launcher pod waits for its claims, as upstream names them.
const (
	ReasonPVCNotFound       = "FailedPvcNotFound"
	ReasonPVCNotBound       = "WaitingForVolumeBinding"
	claimLookupErrorMessage = "persistent volume claim"
)

// ClaimError says why a VMI's claim keeps its launcher pod from being created.
type ClaimError struct {
	Reason string
	Claim  string
}

func (e *ClaimError) Error() string {
	if e.Reason == ReasonPVCNotFound {
		return fmt.Sprintf("%s %q not found", claimLookupErrorMessage, e.Claim)
	}
	return fmt.Sprintf("%s %q is not bound", claimLookupErrorMessage, e.Claim)
}

// AsClaimError finds a ClaimError in err.
func AsClaimError(err error) (*ClaimError, bool) {
	var ce *ClaimError
	ok := errors.As(err, &ce)
	return ce, ok
}

// LookupClaims reads the claims the VMI mounts and returns their modes; a
// claim that does not exist, or is not bound yet and does not wait for its first
// consumer, is a *ClaimError. A claim whose StorageClass binds on first consumer
// (WaitForFirstConsumer) is bound by the scheduler once the launcher pod exists, so
// it does not hold the pod back; its capacity is then its request.
func LookupClaims(ctx context.Context, kube kubernetes.Interface, vmi *virtv1.VirtualMachineInstance) (ClaimModes, error) {
	names := Claims(&vmi.Spec)
	if len(names) == 0 {
		return nil, nil
	}
	modes := ClaimModes{}
	for _, name := range names {
		pvc, err := kube.CoreV1().PersistentVolumeClaims(vmi.Namespace).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, &ClaimError{Reason: ReasonPVCNotFound, Claim: name}
		}
		if err != nil {
			return nil, fmt.Errorf("get %s %s/%s: %w", claimLookupErrorMessage, vmi.Namespace, name, err)
		}
		capacity := pvc.Status.Capacity.Storage().Value()
		if pvc.Status.Phase != corev1.ClaimBound {
			wait, err := bindsOnFirstConsumer(ctx, kube, pvc)
			if err != nil {
				return nil, err
			}
			if !wait {
				return nil, &ClaimError{Reason: ReasonPVCNotBound, Claim: name}
			}
			capacity = pvc.Spec.Resources.Requests.Storage().Value()
		}
		modes[name] = Claim{
			Block:    pvc.Spec.VolumeMode != nil && *pvc.Spec.VolumeMode == corev1.PersistentVolumeBlock,
			Capacity: capacity,
		}
	}
	return modes, nil
}

// bindsOnFirstConsumer: the pending claim's StorageClass binds volumes when the
// first pod using them is scheduled.
func bindsOnFirstConsumer(ctx context.Context, kube kubernetes.Interface, pvc *corev1.PersistentVolumeClaim) (bool, error) {
	if pvc.Status.Phase != corev1.ClaimPending || pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName == "" {
		return false, nil
	}
	sc, err := kube.StorageV1().StorageClasses().Get(ctx, *pvc.Spec.StorageClassName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get storage class %s of claim %s/%s: %w", *pvc.Spec.StorageClassName, pvc.Namespace, pvc.Name, err)
	}
	return sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer, nil
}
