package webhook

import (
	"encoding/json"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/client-go/generated/clientset/versioned/fake"
)

// validSpec is a VMI spec every validator accepts.
func validSpec() virtv1.VirtualMachineInstanceSpec {
	return virtv1.VirtualMachineInstanceSpec{
		Domain: virtv1.DomainSpec{
			Resources: virtv1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}},
			Devices:   virtv1.Devices{Disks: []virtv1.Disk{{Name: "root", Disk: &virtv1.DiskTarget{Bus: "virtio"}}}},
		},
		Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img:1"}}},
	}
}

// causeFields lists the field of every cause of a denial.
func causeFields(resp *admissionv1.AdmissionResponse) []string {
	if resp.Result == nil || resp.Result.Details == nil {
		return nil
	}
	var out []string
	for _, c := range resp.Result.Details.Causes {
		out = append(out, c.Field)
	}
	return out
}

func TestUnsupportedFieldRefusedWithItsPath(t *testing.T) {
	spec := validSpec()
	spec.Domain.Devices.TPM = &virtv1.TPMDevice{}
	vmi := &virtv1.VirtualMachineInstance{Spec: spec}
	resp := review(t, mux(newTestServer()), PathValidateVMI, request("VirtualMachineInstance", admissionv1.Create, vmi))
	want := "spec.domain.devices.tpm: Unsupported value: {}: not supported by kvirt: no TPM device is rendered"
	if resp.Allowed || !strings.Contains(resp.Result.Message, want) {
		t.Fatalf("want a denial saying %q, got allowed=%v %+v", want, resp.Allowed, resp.Result)
	}

	vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted),
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec}}}
	resp = review(t, mux(newTestServer()), PathValidateVM, request("VirtualMachine", admissionv1.Create, vm))
	if got := causeFields(resp); resp.Allowed || strings.Join(got, ",") != "spec.template.spec.domain.devices.tpm" {
		t.Errorf("VM: causes %v, want the template's tpm", got)
	}

	preset := &virtv1.VirtualMachineInstancePreset{Spec: virtv1.VirtualMachineInstancePresetSpec{
		Domain: &virtv1.DomainSpec{Devices: virtv1.Devices{Watchdog: &virtv1.Watchdog{Name: "w"}}}}}
	resp = review(t, mux(newTestServer()), PathValidatePreset, request("VirtualMachineInstancePreset", admissionv1.Create, preset))
	if got := causeFields(resp); resp.Allowed || strings.Join(got, ",") != "spec.domain.devices.watchdog" {
		t.Errorf("preset: causes %v, want spec.domain.devices.watchdog", got)
	}
}

func TestCompatFieldWarned(t *testing.T) {
	spec := validSpec()
	yes := true
	spec.Domain.Devices.Disks[0].DedicatedIOThread = &yes
	rs := &virtv1.VirtualMachineInstanceReplicaSet{Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}}, Spec: spec}}}
	resp := review(t, mux(newTestServer()), PathValidateReplicaSet, request("VirtualMachineInstanceReplicaSet", admissionv1.Create, rs))
	if !resp.Allowed || len(resp.Warnings) != 1 ||
		!strings.HasPrefix(resp.Warnings[0], "spec.template.spec.domain.devices.disks[0].dedicatedIOThread: accepted, but not supported by kvirt yet: ") {
		t.Errorf("want an admission with one warning, got allowed=%v warnings=%q %v", resp.Allowed, resp.Warnings, resp.Result)
	}
}

// TestUpdateRefusesOnlyNewFields: an object stored before a field entered the
// table can still be updated (virt-handler writes VMI status, users start VMs);
// adding a refused field is refused.
func TestUpdateRefusesOnlyNewFields(t *testing.T) {
	spec := validSpec()
	spec.Domain.Devices.TPM = &virtv1.TPMDevice{}
	old := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted),
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec}}}
	started := old.DeepCopy()
	started.Spec.RunStrategy = ptr.To(virtv1.RunStrategyAlways)
	req := request("VirtualMachine", admissionv1.Update, started)
	raw, _ := json.Marshal(old)
	req.OldObject = runtime.RawExtension{Raw: raw}
	if resp := review(t, mux(newTestServer()), PathValidateVM, req); !resp.Allowed {
		t.Errorf("starting a VM stored with a TPM was refused: %v", resp.Result)
	}
	withSound := started.DeepCopy()
	withSound.Spec.Template.Spec.Domain.Devices.Sound = &virtv1.SoundDevice{Name: "s"}
	req = request("VirtualMachine", admissionv1.Update, withSound)
	req.OldObject = runtime.RawExtension{Raw: raw}
	if got := causeFields(review(t, mux(newTestServer()), PathValidateVM, req)); strings.Join(got, ",") != "spec.template.spec.domain.devices.sound" {
		t.Errorf("adding a sound device: causes %v, want only the sound device", got)
	}
}

// TestPreferenceAskingForUnsupportedFields: the common windows preference asks
// for Hyper-V enlightenments; a VM naming it is refused at spec.preference.name.
func TestPreferenceAskingForUnsupportedFields(t *testing.T) {
	client := fake.NewSimpleClientset(&instancetypev1beta1.VirtualMachineClusterPreference{
		ObjectMeta: metav1.ObjectMeta{Name: "windows"},
		Spec: instancetypev1beta1.VirtualMachinePreferenceSpec{Features: &instancetypev1beta1.FeaturePreferences{
			PreferredHyperv: &virtv1.FeatureHyperv{Relaxed: &virtv1.FeatureState{}}}},
	})
	s := newTestServer()
	s.cfg.Client = client
	vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted),
		Preference: &virtv1.PreferenceMatcher{Name: "windows"},
		Template:   &virtv1.VirtualMachineInstanceTemplateSpec{Spec: validSpec()}}}
	resp := review(t, mux(s), PathValidateVM, request("VirtualMachine", admissionv1.Create, vm))
	if got := causeFields(resp); resp.Allowed || strings.Join(got, ",") != "spec.preference.name" ||
		!strings.Contains(resp.Result.Message, "the preference sets spec.template.spec.domain.features.hyperv") {
		t.Errorf("want a refusal at spec.preference.name naming features.hyperv, got %v %v", got, resp.Result)
	}
	vm.Spec.Preference.Name = "missing"
	if resp := review(t, mux(s), PathValidateVM, request("VirtualMachine", admissionv1.Create, vm)); !resp.Allowed {
		t.Errorf("a VM naming a preference that does not exist yet was refused: %v", resp.Result)
	}
}
