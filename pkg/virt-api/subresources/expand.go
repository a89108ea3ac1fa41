package subresources

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/instancetype"
)

// maxVMBytes bounds a VirtualMachine body, as the kube-apiserver bounds a
// request (3 MiB).
const maxVMBytes = 3 << 20

// expandVMSpec answers PUT namespaces/{ns}/expand-vm-spec: the VirtualMachine
// in the body with its instancetype and preference applied to the template.
// As upstream, every problem with the body or its references is a 400.
func (s *Server) expandVMSpec(w http.ResponseWriter, req *http.Request, t target) {
	vm, err := decodeVM(req.Body, t.namespace)
	if err != nil {
		writeStatus(w, &err.ErrStatus)
		return
	}
	if err := instancetype.CheckKinds(vm); err != nil {
		writeStatus(w, &apierrors.NewBadRequest(err.Error()).ErrStatus)
		return
	}
	s.writeExpanded(w, req, vm, func(err error) *apierrors.StatusError {
		return apierrors.NewBadRequest(err.Error())
	})
}

// expandSpec answers GET virtualmachines/{name}/expand-spec: the stored VM
// expanded. As upstream, a VM that cannot be expanded is a 500.
func (s *Server) expandSpec(w http.ResponseWriter, req *http.Request, t target) {
	vm, err := s.cfg.Kvirt.KubevirtV1().VirtualMachines(t.namespace).Get(req.Context(), t.name, metav1.GetOptions{})
	if err != nil {
		writeError(w, err)
		return
	}
	s.writeExpanded(w, req, vm, func(err error) *apierrors.StatusError { return apierrors.NewInternalError(err) })
}

// writeExpanded finds vm's instancetype and preference and answers the
// expanded VM, or the error refuse makes of what went wrong. A lookup that
// fails for another reason than a missing object is a 500 either way.
func (s *Server) writeExpanded(w http.ResponseWriter, req *http.Request, vm *virtv1.VirtualMachine,
	refuse func(error) *apierrors.StatusError) {
	if err := checkMatchers(vm); err != nil {
		writeStatus(w, &refuse(err).ErrStatus)
		return
	}
	var found instancetype.Resolved
	if vm.Spec.Instancetype != nil || vm.Spec.Preference != nil {
		var err error
		found, err = s.cfg.Instancetypes.Find(req.Context(), vm)
		if errors.Is(err, instancetype.ErrNotFound) {
			writeStatus(w, &refuse(err).ErrStatus)
			return
		}
		if err != nil {
			writeStatus(w, &apierrors.NewInternalError(err).ErrStatus)
			return
		}
	}
	out, errs := expandVM(vm, found)
	if len(errs) > 0 {
		st := refuse(fmt.Errorf("cannot expand instancetype to VM: %w", errs.ToAggregate())).ErrStatus
		st.Details = &metav1.StatusDetails{Name: vm.Name, Kind: "VirtualMachine"}
		for _, e := range errs {
			st.Details.Causes = append(st.Details.Causes, metav1.StatusCause{
				Type: metav1.CauseType(e.Type), Message: e.ErrorBody(), Field: e.Field})
		}
		writeStatus(w, &st)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkMatchers refuses references Find cannot follow: a matcher without a
// name (kvirt does not infer instancetypes from volumes yet).
func checkMatchers(vm *virtv1.VirtualMachine) error {
	if m := vm.Spec.Instancetype; m != nil && m.Name == "" {
		return errors.New("spec.instancetype.name: Required value: inferring the instancetype from a volume is not supported")
	}
	if m := vm.Spec.Preference; m != nil && m.Name == "" {
		return errors.New("spec.preference.name: Required value: inferring the preference from a volume is not supported")
	}
	return nil
}

// decodeVM reads a VirtualMachine body addressed to namespace: upstream's
// checks and messages (empty body, undecodable or mistyped JSON, another
// namespace), all 400s. The namespace is filled in when the body has none.
func decodeVM(body io.Reader, namespace string) (*virtv1.VirtualMachine, *apierrors.StatusError) {
	raw, err := io.ReadAll(io.LimitReader(body, maxVMBytes+1))
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("read request body: %v", err))
	}
	if len(raw) == 0 {
		return nil, apierrors.NewBadRequest("empty request body")
	}
	if len(raw) > maxVMBytes {
		return nil, apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("a VirtualMachine body is limited to %d bytes", maxVMBytes))
	}
	vm := &virtv1.VirtualMachine{}
	if err := json.Unmarshal(raw, vm); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			st := apierrors.NewBadRequest("Object is not a valid VirtualMachine")
			st.ErrStatus.Details = &metav1.StatusDetails{Causes: []metav1.StatusCause{{
				Type: metav1.CauseTypeFieldValueInvalid, Field: typeErr.Field, Message: err.Error()}}}
			return nil, st
		}
		return nil, apierrors.NewBadRequest(fmt.Sprintf("Can not unmarshal Request body to struct, error: %v", err))
	}
	if vm.Namespace != "" && vm.Namespace != namespace {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("VM namespace must be empty or %s", namespace))
	}
	vm.Namespace = namespace
	return vm, nil
}

// expandVM applies an instancetype and a preference (either may be nil) to a
// copy of vm's template, exactly as the VM controller does to the VMI it
// creates, and drops the references so the result can be applied as it is.
// With neither, vm is returned unchanged, as upstream.
func expandVM(vm *virtv1.VirtualMachine, found instancetype.Resolved) (*virtv1.VirtualMachine, field.ErrorList) {
	out := vm.DeepCopy()
	out.TypeMeta = metav1.TypeMeta{APIVersion: virtv1.SchemeGroupVersion.String(), Kind: "VirtualMachine"}
	if found.Instancetype == nil && found.Preference == nil {
		return out, nil
	}
	if out.Spec.Template == nil {
		out.Spec.Template = &virtv1.VirtualMachineInstanceTemplateSpec{}
	}
	tmpl := out.Spec.Template
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: tmpl.ObjectMeta, Spec: tmpl.Spec}
	if errs := instancetype.Apply(vmi, found.Instancetype, found.Preference); len(errs) > 0 {
		return nil, errs
	}
	tmpl.ObjectMeta, tmpl.Spec = vmi.ObjectMeta, vmi.Spec
	out.Spec.Instancetype, out.Spec.Preference = nil, nil
	return out, nil
}
