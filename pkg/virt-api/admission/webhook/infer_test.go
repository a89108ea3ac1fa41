package webhook

import (
	"encoding/json"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/instancetype/infer"
)

// TestMutateVMInfersFromVolume: a new VM's inferFromVolume becomes the claim's
// default-instancetype/-preference through the patch; Ignore drops a matcher
// that cannot be inferred; a missing label is refused with the field path.
func TestMutateVMInfersFromVolume(t *testing.T) {
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "root-disk",
		Labels: map[string]string{infer.LabelDefaultInstancetype: "u1.small", infer.LabelDefaultPreference: "alpine",
			infer.LabelDefaultPreferenceKind: "VirtualMachinePreference"}}}
	s := newTestServer()
	s.cfg.Kube = kubefake.NewSimpleClientset(claim)
	vm := func(claimName, policy string) *virtv1.VirtualMachine {
		return &virtv1.VirtualMachine{
			TypeMeta:   metav1.TypeMeta{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine"},
			ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "ns"},
			Spec: virtv1.VirtualMachineSpec{
				Instancetype: &virtv1.InstancetypeMatcher{InferFromVolume: "root", InferFromVolumeFailurePolicy: policy},
				Preference:   &virtv1.PreferenceMatcher{InferFromVolume: "root", InferFromVolumeFailurePolicy: policy},
				Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: virtv1.VirtualMachineInstanceSpec{
					Volumes: []virtv1.Volume{{Name: "root", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: claimName}}}}},
			}}
	}
	got := mutatedVM(t, s, vm("root-disk", ""))
	if it := got.Spec.Instancetype; it == nil || it.Name != "u1.small" || it.InferFromVolume != "" {
		t.Errorf("instancetype = %+v, want u1.small inferred", it)
	}
	if p := got.Spec.Preference; p == nil || p.Name != "alpine" || p.Kind != "VirtualMachinePreference" || p.InferFromVolume != "" {
		t.Errorf("preference = %+v, want alpine/VirtualMachinePreference inferred", p)
	}
	if got := mutatedVM(t, s, vm("missing", infer.Ignore)); got.Spec.Instancetype != nil || got.Spec.Preference != nil {
		t.Errorf("Ignore kept %+v %+v, want both matchers dropped", got.Spec.Instancetype, got.Spec.Preference)
	}
	resp := review(t, mux(s), PathMutateVM, request("VirtualMachine", admissionv1.Create, vm("missing", "")))
	if resp.Allowed || !strings.Contains(resp.Result.Message, "spec.instancetype.inferFromVolume") {
		t.Errorf("Reject with a missing claim: allowed %v, %v", resp.Allowed, resp.Result)
	}
}

func mutatedVM(t *testing.T, s *Server, vm *virtv1.VirtualMachine) *virtv1.VirtualMachine {
	t.Helper()
	resp := review(t, mux(s), PathMutateVM, request("VirtualMachine", admissionv1.Create, vm))
	if !resp.Allowed || resp.Patch == nil {
		t.Fatalf("not allowed with a patch: %+v", resp.Result)
	}
	raw, _ := json.Marshal(vm)
	patch, err := jsonpatch.DecodePatch(resp.Patch)
	if err != nil {
		t.Fatal(err)
	}
	out, err := patch.Apply(raw)
	if err != nil {
		t.Fatalf("apply %s: %v", resp.Patch, err)
	}
	got := &virtv1.VirtualMachine{}
	if err := json.Unmarshal(out, got); err != nil {
		t.Fatal(err)
	}
	return got
}
