package launcherpod

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
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
// claim that does not exist or is not bound yet is a *ClaimError.
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
		if pvc.Status.Phase != corev1.ClaimBound {
			return nil, &ClaimError{Reason: ReasonPVCNotBound, Claim: name}
		}
		modes[name] = Claim{
			Block:    pvc.Spec.VolumeMode != nil && *pvc.Spec.VolumeMode == corev1.PersistentVolumeBlock,
			Capacity: pvc.Status.Capacity.Storage().Value(),
		}
	}
	return modes, nil
}
