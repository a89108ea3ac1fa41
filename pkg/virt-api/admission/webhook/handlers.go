package webhook

import (
	"context"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
	"kvirt.io/kvirt/pkg/virt-api/admission/validating"
)

func (s *Server) validateVM(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	vm := &virtv1.VirtualMachine{}
	if err := decode(req, vm, false); err != nil {
		return badRequest(err)
	}
	var old *virtv1.VirtualMachine
	if req.Operation == admissionv1.Update {
		old = &virtv1.VirtualMachine{}
		if err := decode(req, old, true); err != nil {
			return badRequest(err)
		}
	}
	vcfg, _ := s.clusterConfig()
	var refs *resolver
	var vrefs validating.Resolver
	if s.cfg.Client != nil {
		refs = newResolver(ctx, s.cfg.Client, req.Namespace)
		vrefs = refs
	}
	errs := validating.ValidateVM(vm, vcfg, vrefs)
	unsupportedErrs, warnings := s.unsupportedVM(vm, old, refs)
	return verdictWarn(req, append(errs, unsupportedErrs...), warnings)
}

func (s *Server) validateVMI(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	vmi := &virtv1.VirtualMachineInstance{}
	if err := decode(req, vmi, false); err != nil {
		return badRequest(err)
	}
	vcfg, _ := s.clusterConfig()
	spec := field.NewPath("spec")
	if req.Operation != admissionv1.Update {
		unsupportedErrs, warnings := s.unsupportedSpec(spec, &vmi.Spec, nil)
		return verdictWarn(req, append(validating.ValidateVMICreate(vmi, vcfg), unsupportedErrs...), warnings)
	}
	old := &virtv1.VirtualMachineInstance{}
	if err := decode(req, old, true); err != nil {
		return badRequest(err)
	}
	errs := validating.ValidateVMIUpdate(old, vmi, s.fromKvirt(req))
	if !s.fromKvirt(req) {
		errs = append(errs, validating.ValidateReservedLabels(field.NewPath("metadata", "labels"), old.Labels, vmi.Labels)...)
	}
	var warnings []string
	if !equality.Semantic.DeepEqual(old.Spec, vmi.Spec) {
		var unsupportedErrs field.ErrorList
		unsupportedErrs, warnings = s.unsupportedSpec(spec, &vmi.Spec, &old.Spec)
		errs = append(errs, unsupportedErrs...)
	}
	return verdictWarn(req, errs, warnings)
}

func (s *Server) validateMigration(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	m := &virtv1.VirtualMachineInstanceMigration{}
	if err := decode(req, m, false); err != nil {
		return badRequest(err)
	}
	if req.Operation == admissionv1.Update {
		old := &virtv1.VirtualMachineInstanceMigration{}
		if err := decode(req, old, true); err != nil {
			return badRequest(err)
		}
		return verdict(req, validating.ValidateMigrationUpdate(old, m))
	}
	var find validating.VMIFinder
	if s.cfg.Client != nil {
		find = func(name string) (*virtv1.VirtualMachineInstance, error) {
			ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
			defer cancel()
			vmi, err := s.cfg.Client.KubevirtV1().VirtualMachineInstances(req.Namespace).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("get vmi: %w", err)
			}
			return vmi, nil
		}
	}
	return verdict(req, validating.ValidateMigration(m, find))
}

func (s *Server) validateReplicaSet(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	rs := &virtv1.VirtualMachineInstanceReplicaSet{}
	if err := decode(req, rs, false); err != nil {
		return badRequest(err)
	}
	var old *virtv1.VirtualMachineInstanceSpec
	if req.Operation == admissionv1.Update {
		prev := &virtv1.VirtualMachineInstanceReplicaSet{}
		if err := decode(req, prev, true); err != nil {
			return badRequest(err)
		}
		if prev.Spec.Template != nil {
			old = &prev.Spec.Template.Spec
		}
	}
	vcfg, _ := s.clusterConfig()
	errs := validating.ValidateReplicaSet(rs, vcfg)
	var warnings []string
	if rs.Spec.Template != nil {
		var unsupportedErrs field.ErrorList
		unsupportedErrs, warnings = s.unsupportedSpec(field.NewPath("spec", "template", "spec"), &rs.Spec.Template.Spec, old)
		errs = append(errs, unsupportedErrs...)
	}
	return verdictWarn(req, errs, warnings)
}

// validateInstancetype serves both the namespaced and the cluster kind, which
// share their spec type.
func (s *Server) validateInstancetype(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	it := &instancetypev1beta1.VirtualMachineInstancetype{}
	if err := decode(req, it, false); err != nil {
		return badRequest(err)
	}
	resp := verdict(req, validating.ValidateInstancetypeSpec(&it.Spec))
	if s.cfg.Unsupported != nil {
		resp.Warnings = s.cfg.Unsupported.ReferenceWarnings(&it.Spec, nil)
	}
	return resp
}

func (s *Server) validatePreference(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	p := &instancetypev1beta1.VirtualMachinePreference{}
	if err := decode(req, p, false); err != nil {
		return badRequest(err)
	}
	resp := verdict(req, validating.ValidatePreferenceSpec(&p.Spec))
	if s.cfg.Unsupported != nil {
		resp.Warnings = s.cfg.Unsupported.ReferenceWarnings(nil, &p.Spec)
	}
	return resp
}

// validatePreset refuses an invalid preset or one giving a field kvirt does
// not implement, and warns about settings presets never apply.
func (s *Server) validatePreset(_ context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	p := &virtv1.VirtualMachineInstancePreset{}
	if err := decode(req, p, false); err != nil {
		return badRequest(err)
	}
	var old *virtv1.VirtualMachineInstancePreset
	if req.Operation == admissionv1.Update {
		old = &virtv1.VirtualMachineInstancePreset{}
		if err := decode(req, old, true); err != nil {
			return badRequest(err)
		}
	}
	unsupportedErrs, warnings := s.unsupportedPreset(p, old)
	return verdictWarn(req, append(validating.ValidatePreset(p), unsupportedErrs...),
		append(validating.PresetWarnings(p), warnings...))
}

func (s *Server) validateKubeVirt(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	kv := &virtv1.KubeVirt{}
	if err := decode(req, kv, false); err != nil {
		return badRequest(err)
	}
	return verdict(req, validating.ValidateKubeVirt(kv))
}

func (s *Server) mutateVM(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	if req.Operation != admissionv1.Create {
		return allowed()
	}
	vm := &virtv1.VirtualMachine{}
	if err := decode(req, vm, false); err != nil {
		return badRequest(err)
	}
	if vm.Spec.Template == nil {
		return allowed() // validation refuses it with a field path
	}
	ops, errs := s.inferMatchers(ctx, req.Namespace, vm)
	if len(errs) > 0 {
		return verdict(req, errs)
	}
	_, mcfg := s.clusterConfig()
	before := vm.Spec.Template.Spec.DeepCopy()
	mutating.DefaultVM(vm, mcfg, s.cfg.NewUUID)
	if !equality.Semantic.DeepEqual(before, &vm.Spec.Template.Spec) {
		ops = append(ops, patchOp{Op: "add", Path: "/spec/template/spec", Value: vm.Spec.Template.Spec})
	}
	if len(ops) == 0 {
		return allowed()
	}
	return patched(ops)
}

// mutateVMI defaults a new VMI; on update it reverts status edits by users who
// are not kvirt components, as upstream does.
func (s *Server) mutateVMI(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	vmi := &virtv1.VirtualMachineInstance{}
	if err := decode(req, vmi, false); err != nil {
		return badRequest(err)
	}
	if req.Operation == admissionv1.Update {
		if s.fromKvirt(req) {
			return allowed()
		}
		old := &virtv1.VirtualMachineInstance{}
		if err := decode(req, old, true); err != nil {
			return badRequest(err)
		}
		if equality.Semantic.DeepEqual(old.Status, vmi.Status) {
			return allowed()
		}
		return patched([]patchOp{{Op: "add", Path: "/status", Value: old.Status}})
	}
	return s.mutateNewVMI(ctx, req, vmi)
}

// mutateNewVMI applies the namespace's matching presets, then the defaults.
func (s *Server) mutateNewVMI(ctx context.Context, req *admissionv1.AdmissionRequest, vmi *virtv1.VirtualMachineInstance) *admissionv1.AdmissionResponse {
	var warnings []string
	if s.cfg.Presets != nil {
		presets, err := s.cfg.Presets.Presets(req.Namespace)
		if err != nil {
			return internalError(fmt.Errorf("list presets: %w", err))
		}
		res, errs := mutating.ApplyPresets(vmi, presets)
		if len(errs) > 0 {
			return verdict(req, errs)
		}
		if len(res.Applied) > 0 || len(res.Warnings) > 0 {
			klog.FromContext(ctx).V(2).Info("presets applied", "vmi", klog.KRef(req.Namespace, vmiName(req, vmi)),
				"applied", res.Applied, "overridden", res.Warnings)
		}
		warnings = res.Warnings
	}
	_, mcfg := s.clusterConfig()
	mutating.DefaultVMI(vmi, mcfg, metav1.NewTime(s.cfg.Now()), s.cfg.NewUUID)
	ops := []patchOp{
		{Op: "add", Path: "/spec", Value: vmi.Spec},
		{Op: "add", Path: "/metadata/finalizers", Value: vmi.Finalizers},
		{Op: "add", Path: "/status", Value: vmi.Status},
	}
	if len(vmi.Annotations) > 0 {
		ops = append(ops, patchOp{Op: "add", Path: "/metadata/annotations", Value: vmi.Annotations})
	}
	resp := patched(ops)
	resp.Warnings = warnings
	return resp
}

// vmiName is the VMI's name, or its generateName prefix before the apiserver names it.
func vmiName(req *admissionv1.AdmissionRequest, vmi *virtv1.VirtualMachineInstance) string {
	if req.Name != "" {
		return req.Name
	}
	return vmi.GenerateName
}

// mutateMigration labels a new migration with its VMI and adds its finalizer.
func (s *Server) mutateMigration(_ context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	if req.Operation != admissionv1.Create {
		return allowed()
	}
	m := &virtv1.VirtualMachineInstanceMigration{}
	if err := decode(req, m, false); err != nil {
		return badRequest(err)
	}
	mutating.DefaultMigration(m)
	return patched([]patchOp{
		{Op: "add", Path: "/metadata/labels", Value: m.Labels},
		{Op: "add", Path: "/metadata/finalizers", Value: m.Finalizers},
	})
}
