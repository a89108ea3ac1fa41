package webhook

import (
	"context"
	"errors"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/instancetype/infer"
)

// inferMatchers resolves inferFromVolume of a new VM (see package infer) and
// returns the patch of the matchers it changed.
func (s *Server) inferMatchers(ctx context.Context, namespace string, vm *virtv1.VirtualMachine) ([]patchOp, field.ErrorList) {
	it := vm.Spec.Instancetype != nil && vm.Spec.Instancetype.InferFromVolume != ""
	pr := vm.Spec.Preference != nil && vm.Spec.Preference.InferFromVolume != ""
	if !it && !pr {
		return nil, nil
	}
	if errs := infer.Matchers(vm, s.claimLabels(ctx, namespace)); len(errs) > 0 {
		return nil, errs
	}
	var ops []patchOp
	if it {
		ops = append(ops, matcherOp("/spec/instancetype", vm.Spec.Instancetype))
	}
	if pr {
		ops = append(ops, matcherOp("/spec/preference", vm.Spec.Preference))
	}
	return ops, nil
}

// claimLabels reads the labels of a PersistentVolumeClaim in namespace.
func (s *Server) claimLabels(ctx context.Context, namespace string) infer.ClaimLabels {
	return func(name string) (map[string]string, error) {
		if s.cfg.Kube == nil {
			return nil, errors.New("virt-api reads no claims")
		}
		pvc, err := s.cfg.Kube.CoreV1().PersistentVolumeClaims(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return pvc.Labels, nil
	}
}

// matcherOp sets (or removes, when inference dropped it) a matcher at path.
func matcherOp(path string, m any) patchOp {
	if m == nil || reflect.ValueOf(m).IsNil() {
		return patchOp{Op: "remove", Path: path}
	}
	return patchOp{Op: "add", Path: path, Value: m}
}
