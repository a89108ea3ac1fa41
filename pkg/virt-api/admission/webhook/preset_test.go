package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
)

// presetList is a PresetSource over a fixed list.
type presetList []*virtv1.VirtualMachineInstancePreset

func (l presetList) Presets(namespace string) ([]*virtv1.VirtualMachineInstancePreset, error) {
	var out []*virtv1.VirtualMachineInstancePreset
	for _, p := range l {
		if p.Namespace == namespace {
			out = append(out, p)
		}
	}
	return out, nil
}

type failingPresets struct{}

func (failingPresets) Presets(string) ([]*virtv1.VirtualMachineInstancePreset, error) {
	return nil, fmt.Errorf("cache not synced")
}

func cpuPreset(name, ns string, cores int64) *virtv1.VirtualMachineInstancePreset {
	return &virtv1.VirtualMachineInstancePreset{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: virtv1.VirtualMachineInstancePresetSpec{
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{"flavor": "small"}},
			Domain:   &virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: cores}},
		},
	}
}

func presetServer(src PresetSource) *Server {
	return New(Config{Presets: src, Now: func() time.Time { return time.Unix(1700000000, 0) }, NewUUID: func() string { return "uuid-1" }})
}

func labelledVMI(cores int64) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{
		TypeMeta:   metav1.TypeMeta{APIVersion: "kubevirt.io/v1alpha3", Kind: "VirtualMachineInstance"},
		ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{"flavor": "small"}},
		Spec: virtv1.VirtualMachineInstanceSpec{Volumes: []virtv1.Volume{
			{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img:v1"}},
		}},
	}
	if cores > 0 {
		vmi.Spec.Domain.CPU = &virtv1.CPU{Cores: cores}
	}
	return vmi
}

// mutated applies the response's patch to the request's object.
func mutated(t *testing.T, req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse) *virtv1.VirtualMachineInstance {
	t.Helper()
	if !resp.Allowed || resp.PatchType == nil {
		t.Fatalf("want an allowed patch, got %+v", resp)
	}
	patch, err := jsonpatch.DecodePatch(resp.Patch)
	if err != nil {
		t.Fatal(err)
	}
	out, err := patch.Apply(req.Object.Raw)
	if err != nil {
		t.Fatalf("apply patch: %v", err)
	}
	vmi := &virtv1.VirtualMachineInstance{}
	if err := json.Unmarshal(out, vmi); err != nil {
		t.Fatal(err)
	}
	return vmi
}

func TestMutateVMIAppliesPresets(t *testing.T) {
	presets := presetList{cpuPreset("small", "ns", 4), cpuPreset("elsewhere", "other", 8)}
	h := mux(presetServer(presets))

	// A v1alpha3 object decodes like v1: the schemas are the same.
	req := request("VirtualMachineInstance", admissionv1.Create, labelledVMI(0))
	req.Kind.Version = "v1alpha3"
	resp := review(t, h, PathMutateVMI, req)
	vmi := mutated(t, req, resp)
	if vmi.Spec.Domain.CPU == nil || vmi.Spec.Domain.CPU.Cores != 4 || vmi.Spec.Domain.CPU.Model != "host-model" {
		t.Errorf("cpu %+v, want the preset's 4 cores plus the default model", vmi.Spec.Domain.CPU)
	}
	if got := vmi.Annotations[virtv1.PresetAnnotationPrefix+"small"]; got != "kubevirt.io/v1" || len(vmi.Annotations) != 1 {
		t.Errorf("annotations %v", vmi.Annotations)
	}

	// The VMI's own cores win, with a warning, and no annotation.
	req = request("VirtualMachineInstance", admissionv1.Create, labelledVMI(6))
	resp = review(t, h, PathMutateVMI, req)
	vmi = mutated(t, req, resp)
	if vmi.Spec.Domain.CPU.Cores != 6 || len(vmi.Annotations) != 0 {
		t.Errorf("cores %d annotations %v", vmi.Spec.Domain.CPU.Cores, vmi.Annotations)
	}
	if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "spec.domain.cpu") {
		t.Errorf("warnings %q", resp.Warnings)
	}
}

func TestMutateVMIRefusesConflictingPresets(t *testing.T) {
	h := mux(presetServer(presetList{cpuPreset("a", "ns", 4), cpuPreset("b", "ns", 2)}))
	resp := review(t, h, PathMutateVMI, request("VirtualMachineInstance", admissionv1.Create, labelledVMI(0)))
	if resp.Allowed || resp.Result == nil || resp.Result.Code != http.StatusUnprocessableEntity ||
		resp.Result.Details == nil || resp.Result.Details.Causes[0].Field != "spec.domain.cpu" {
		t.Fatalf("want a 422 naming spec.domain.cpu, got %+v", resp.Result)
	}
	resp = review(t, mux(presetServer(failingPresets{})), PathMutateVMI, request("VirtualMachineInstance", admissionv1.Create, labelledVMI(0)))
	if resp.Allowed || resp.Result.Code != http.StatusInternalServerError {
		t.Fatalf("a failed preset lookup must refuse, got %+v", resp.Result)
	}
}

func TestValidatePresetWarnsAboutIgnoredSettings(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(exampleDir, "vmi-preset-small.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	req := request("VirtualMachineInstancePreset", admissionv1.Create, json.RawMessage(js))
	resp := review(t, mux(newTestServer()), PathValidatePreset, req)
	if !resp.Allowed {
		t.Fatalf("upstream's example refused: %+v", resp.Result)
	}
	if len(resp.Warnings) != 1 || !strings.HasPrefix(resp.Warnings[0], "spec.domain.memory ") {
		t.Errorf("warnings %q, want one about spec.domain.memory", resp.Warnings)
	}
	bad := cpuPreset("bad", "ns", 1)
	bad.Spec.Domain = nil
	resp = review(t, mux(newTestServer()), PathValidatePreset, request("VirtualMachineInstancePreset", admissionv1.Create, bad))
	if resp.Allowed || resp.Result.Details.Causes[0].Field != "spec.domain" {
		t.Fatalf("want a refusal at spec.domain, got %+v", resp.Result)
	}
}
