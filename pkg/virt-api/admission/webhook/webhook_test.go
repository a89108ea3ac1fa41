package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-api/admission/unsupported"
)

// exampleDir is shared with the validating package's tests.
const exampleDir = "../validating/testdata/examples"

func newTestServer() *Server {
	checker, err := unsupported.New()
	if err != nil {
		panic(err)
	}
	return New(Config{Now: func() time.Time { return time.Unix(1700000000, 0) }, NewUUID: func() string { return "uuid-1" },
		Unsupported: checker, InstallNamespace: "kubevirt"})
}

func mux(s *Server) *http.ServeMux {
	m := http.NewServeMux()
	s.Register(m)
	return m
}

// review posts one AdmissionReview to path and returns the response.
func review(t testing.TB, h http.Handler, path string, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	body, _ := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req,
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", path, rec.Code, rec.Body.String())
	}
	out := &admissionv1.AdmissionReview{}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil || out.Response == nil {
		t.Fatalf("decode response: %v", err)
	}
	if out.Response.UID != req.UID {
		t.Fatalf("response UID %q, want %q", out.Response.UID, req.UID)
	}
	return out.Response
}

func request(kind string, op admissionv1.Operation, obj any) *admissionv1.AdmissionRequest {
	raw, _ := json.Marshal(obj)
	return &admissionv1.AdmissionRequest{
		UID: types.UID("req-1"), Kind: metav1.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: kind},
		Operation: op, Name: "x", Namespace: "ns", Object: runtime.RawExtension{Raw: raw},
	}
}

func TestDenialCarriesEveryCause(t *testing.T) {
	vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{Template: &virtv1.VirtualMachineInstanceTemplateSpec{
		Spec: virtv1.VirtualMachineInstanceSpec{Domain: virtv1.DomainSpec{Devices: virtv1.Devices{Disks: []virtv1.Disk{{Name: "gone"}}}}},
	}}}
	resp := review(t, mux(newTestServer()), PathValidateVM, request("VirtualMachine", admissionv1.Create, vm))
	if resp.Allowed || resp.Result == nil || resp.Result.Details == nil {
		t.Fatalf("want a denial with details, got %+v", resp)
	}
	var fields []string
	for _, c := range resp.Result.Details.Causes {
		fields = append(fields, c.Field)
	}
	for _, want := range []string{"spec.runStrategy", "spec.template.spec.domain.devices.disks[0].name", "spec.template.spec.domain.resources.requests.memory"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no cause at %s in %v", want, fields)
		}
	}
	if resp.Result.Code != http.StatusUnprocessableEntity {
		t.Errorf("code %d, want 422", resp.Result.Code)
	}
}

func TestMutateVMIPatchApplies(t *testing.T) {
	vmi := &virtv1.VirtualMachineInstance{
		TypeMeta:   metav1.TypeMeta{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachineInstance"},
		ObjectMeta: metav1.ObjectMeta{Name: "x"},
		Spec: virtv1.VirtualMachineInstanceSpec{Volumes: []virtv1.Volume{
			{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img:v1"}},
		}},
	}
	req := request("VirtualMachineInstance", admissionv1.Create, vmi)
	resp := review(t, mux(newTestServer()), PathMutateVMI, req)
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
	got := &virtv1.VirtualMachineInstance{}
	if err := json.Unmarshal(out, got); err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != virtv1.Pending || got.Spec.Domain.Devices.Disks[0].Disk.Bus != virtv1.DiskBusSATA || got.Spec.Domain.Firmware.UUID != "uuid-1" {
		t.Fatalf("patched VMI %+v", got)
	}
}

func TestStatusEditByUserReverted(t *testing.T) {
	old := &virtv1.VirtualMachineInstance{Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Pending}}
	edited := old.DeepCopy()
	edited.Status.Phase = virtv1.Running
	req := request("VirtualMachineInstance", admissionv1.Update, edited)
	raw, _ := json.Marshal(old)
	req.OldObject = runtime.RawExtension{Raw: raw}
	req.UserInfo.Username = "alice"
	if resp := review(t, mux(newTestServer()), PathMutateVMI, req); resp.Patch == nil || !strings.Contains(string(resp.Patch), `"Pending"`) {
		t.Fatalf("user status edit not reverted: %s", resp.Patch)
	}
	req.UserInfo.Username = "system:serviceaccount:kubevirt:kubevirt-handler"
	if resp := review(t, mux(newTestServer()), PathMutateVMI, req); resp.Patch != nil {
		t.Fatalf("kvirt component's status edit reverted: %s", resp.Patch)
	}
	// The same names in a tenant's namespace are a tenant's accounts.
	for _, sa := range []string{"tenant:kubevirt-handler", "tenant:virt-handler", "tenant:kubevirt-controller", "kubevirt:virt-handler"} {
		req.UserInfo.Username = "system:serviceaccount:" + sa
		if resp := review(t, mux(newTestServer()), PathMutateVMI, req); resp.Patch == nil || !strings.Contains(string(resp.Patch), `"Pending"`) {
			t.Errorf("status edit by %s not reverted: %s", sa, resp.Patch)
		}
	}
}

// A spec change or a reserved label from a component-named account outside the
// install namespace is refused as any tenant's.
func TestComponentNamesOutsideInstallNamespaceRefused(t *testing.T) {
	old := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{virtv1.NodeNameLabel: "node-a"}},
		Spec: virtv1.VirtualMachineInstanceSpec{Hostname: "a"}}
	edited := old.DeepCopy()
	edited.Spec.Hostname = "b"
	edited.Labels[virtv1.NodeNameLabel] = "node-b"
	req := request("VirtualMachineInstance", admissionv1.Update, edited)
	raw, _ := json.Marshal(old)
	req.OldObject = runtime.RawExtension{Raw: raw}
	for user, allowed := range map[string]bool{
		"system:serviceaccount:kubevirt:kubevirt-controller": true,
		"system:serviceaccount:tenant:kubevirt-controller":   false,
		"system:serviceaccount:tenant:virt-controller":       false,
		"system:serviceaccount:kubevirt:kubevirt-operator":   false,
	} {
		req.UserInfo.Username = user
		resp := review(t, mux(newTestServer()), PathValidateVMI, req)
		if resp.Allowed != allowed {
			t.Errorf("%s: allowed %v, want %v (%+v)", user, resp.Allowed, allowed, resp.Result)
		}
	}
}

// BenchmarkAdmissionExamples measures one validating admission review (decode,
// validate, encode) over upstream's example VMs and VMIs and reports p50/p99.
func BenchmarkAdmissionExamples(b *testing.B) {
	type sample struct {
		path string
		req  *admissionv1.AdmissionRequest
	}
	var samples []sample
	files, _ := filepath.Glob(filepath.Join(exampleDir, "*.yaml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			b.Fatal(err)
		}
		var tm metav1.TypeMeta
		_ = json.Unmarshal(js, &tm)
		path := map[string]string{"VirtualMachine": PathValidateVM, "VirtualMachineInstance": PathValidateVMI}[tm.Kind]
		if path == "" {
			continue
		}
		req := request(tm.Kind, admissionv1.Create, json.RawMessage(js))
		samples = append(samples, sample{path, req})
	}
	if len(samples) == 0 {
		b.Fatal("no example VMs")
	}
	s := mux(newTestServer())
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		smp := samples[i%len(samples)]
		start := time.Now()
		review(b, s, smp.path, smp.req)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
