package subresources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/instancetype"
)

// fakeFinder knows one cluster instancetype and one cluster preference.
type fakeFinder struct{ err error }

func (f fakeFinder) Find(_ context.Context, vm *virtv1.VirtualMachine) (instancetype.Resolved, error) {
	if f.err != nil {
		return instancetype.Resolved{}, f.err
	}
	var out instancetype.Resolved
	if m := vm.Spec.Instancetype; m != nil {
		if m.Name != "u1.small" {
			return out, fmt.Errorf("instancetype %q: %w", m.Name, instancetype.ErrNotFound)
		}
		g := resource.MustParse("256Mi")
		out.Instancetype = &instancetypev1beta1.VirtualMachineInstancetypeSpec{
			CPU: instancetypev1beta1.CPUInstancetype{Guest: 2}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: &g}}
	}
	if m := vm.Spec.Preference; m != nil {
		if m.Name != "virtio" {
			return out, fmt.Errorf("preference %q: %w", m.Name, instancetype.ErrNotFound)
		}
		out.Preference = &instancetypev1beta1.VirtualMachinePreferenceSpec{
			Devices: &instancetypev1beta1.DevicePreferences{PreferredDiskBus: string(virtv1.DiskBusVirtio)}}
	}
	return out, nil
}

func vmReferring(instancetypeName, preferenceName string) *virtv1.VirtualMachine {
	vm := &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns"},
		Spec: virtv1.VirtualMachineSpec{Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: virtv1.VirtualMachineInstanceSpec{
			Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}}},
		}}},
	}
	if instancetypeName != "" {
		vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: instancetypeName}
	}
	if preferenceName != "" {
		vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: preferenceName}
	}
	return vm
}

func TestExpandVM(t *testing.T) {
	finder := fakeFinder{}
	plain := vmReferring("", "")
	got, errs := expandVM(plain, instancetype.Resolved{})
	if len(errs) > 0 || got.Spec.Template.Spec.Domain.CPU != nil || got.Kind != "VirtualMachine" {
		t.Errorf("without references: %+v, %v; want the VM unchanged", got.Spec.Template.Spec.Domain, errs)
	}

	vm := vmReferring("u1.small", "virtio")
	found, err := finder.Find(context.Background(), vm)
	if err != nil {
		t.Fatal(err)
	}
	got, errs = expandVM(vm, found)
	if len(errs) > 0 {
		t.Fatalf("conflicts: %v", errs)
	}
	spec := got.Spec.Template.Spec
	if spec.Domain.CPU == nil || spec.Domain.CPU.Sockets != 2 || spec.Domain.Memory == nil || spec.Domain.Memory.Guest.String() != "256Mi" {
		t.Errorf("instancetype not applied: cpu %+v memory %+v", spec.Domain.CPU, spec.Domain.Memory)
	}
	if d := spec.Domain.Devices.Disks; len(d) != 1 || d[0].Disk == nil || d[0].Disk.Bus != virtv1.DiskBusVirtio {
		t.Errorf("preference not applied: disks %+v", d)
	}
	if got.Spec.Instancetype != nil || got.Spec.Preference != nil {
		t.Error("references kept: the answer could not be applied as it is")
	}
	if vm.Spec.Template.Spec.Domain.CPU != nil || vm.Spec.Instancetype == nil {
		t.Error("the input VM was changed")
	}

	conflicting := vmReferring("u1.small", "")
	conflicting.Spec.Template.Spec.Domain.CPU = &virtv1.CPU{Sockets: 4}
	found, _ = finder.Find(context.Background(), conflicting)
	if _, errs := expandVM(conflicting, found); len(errs) != 1 || errs[0].Field != "spec.template.spec.domain.cpu" {
		t.Errorf("conflict: %v, want one naming spec.template.spec.domain.cpu", errs)
	}
}

func TestDecodeVM(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty", "", "empty request body"},
		{"not json", "{", "Can not unmarshal Request body"},
		{"mistyped", `{"spec":{"runStrategy":7}}`, "Object is not a valid VirtualMachine"},
		{"other namespace", `{"metadata":{"namespace":"other"}}`, "VM namespace must be empty or ns"},
		{"too large", `{"metadata":{"name":"` + strings.Repeat("x", maxVMBytes) + `"}}`, "limited to"},
		{"fine", `{"metadata":{"name":"vm"}}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vm, err := decodeVM(strings.NewReader(tc.body), "ns")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && vm.Namespace != "ns":
				t.Errorf("namespace %q, want the request's", vm.Namespace)
			case tc.want != "" && (err == nil || !strings.Contains(err.ErrStatus.Message, tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			case tc.want != "" && tc.name != "too large" && err.ErrStatus.Code != http.StatusBadRequest:
				t.Errorf("code %d, want 400", err.ErrStatus.Code)
			}
		})
	}
}

// statusOf decodes an error answer.
func statusOf(t *testing.T, rec *httptest.ResponseRecorder) metav1.Status {
	t.Helper()
	var st metav1.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatalf("answer %q is no Status: %v", rec.Body.String(), err)
	}
	return st
}

func TestExpandVMSpecHandler(t *testing.T) {
	s := New(Config{Kvirt: kvirtfake.NewSimpleClientset(), Instancetypes: fakeFinder{}})
	body := func(vm *virtv1.VirtualMachine) string { raw, _ := json.Marshal(vm); return string(raw) }
	badKind := vmReferring("u1.small", "")
	badKind.Spec.Instancetype.Kind = "Flavor"
	conflicting := vmReferring("u1.small", "")
	conflicting.Spec.Template.Spec.Domain.CPU = &virtv1.CPU{Cores: 3}
	inferred := vmReferring("", "")
	inferred.Spec.Preference = &virtv1.PreferenceMatcher{InferFromVolume: "root"}
	cases := []struct {
		name, body string
		code       int
		want       string
	}{
		{"expanded", body(vmReferring("u1.small", "virtio")), http.StatusOK, ""},
		{"no references", body(vmReferring("", "")), http.StatusOK, ""},
		{"missing instancetype", body(vmReferring("u9.huge", "")), http.StatusBadRequest, `instancetype "u9.huge": not found`},
		{"missing preference", body(vmReferring("", "fancy")), http.StatusBadRequest, `preference "fancy": not found`},
		{"conflict", body(conflicting), http.StatusBadRequest, "cannot expand instancetype to VM"},
		{"unknown kind", body(badKind), http.StatusBadRequest, `spec.instancetype.kind: unsupported value "Flavor"`},
		{"inferred", body(inferred), http.StatusBadRequest, "spec.preference.name"},
		{"empty", "", http.StatusBadRequest, "empty request body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(tc.body))
			s.expandVMSpec(rec, req, target{namespace: "ns", resource: resExpandVMSpc})
			if rec.Code != tc.code {
				t.Fatalf("code %d (%s), want %d", rec.Code, rec.Body.String(), tc.code)
			}
			if tc.code != http.StatusOK {
				if st := statusOf(t, rec); !strings.Contains(st.Message, tc.want) {
					t.Errorf("message %q, want it to contain %q", st.Message, tc.want)
				}
				return
			}
			var vm virtv1.VirtualMachine
			if err := json.Unmarshal(rec.Body.Bytes(), &vm); err != nil || vm.Kind != "VirtualMachine" || vm.Namespace != "ns" {
				t.Errorf("answer %s (%v), want a VirtualMachine in ns", rec.Body.String(), err)
			}
		})
	}
	t.Run("conflict causes", func(t *testing.T) {
		rec := httptest.NewRecorder()
		s.expandVMSpec(rec, httptest.NewRequest(http.MethodPut, "/", strings.NewReader(body(conflicting))), target{namespace: "ns"})
		st := statusOf(t, rec)
		if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Field != "spec.template.spec.domain.cpu" {
			t.Errorf("details %+v, want the conflicting field", st.Details)
		}
	})
}

func TestExpandSpecHandler(t *testing.T) {
	stored := vmReferring("u1.small", "")
	broken := vmReferring("u9.huge", "")
	broken.Name = "broken"
	s := New(Config{Kvirt: kvirtfake.NewSimpleClientset(stored, broken), Instancetypes: fakeFinder{}})
	failing := New(Config{Kvirt: kvirtfake.NewSimpleClientset(stored), Instancetypes: fakeFinder{err: fmt.Errorf("apiserver down")}})
	cases := []struct {
		name string
		s    *Server
		vm   string
		code int
	}{
		{"expanded", s, "vm", http.StatusOK},
		{"no such VM", s, "none", http.StatusNotFound},
		{"missing instancetype is a 500, as upstream", s, "broken", http.StatusInternalServerError},
		{"lookup failure", failing, "vm", http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.s.expandSpec(rec, httptest.NewRequest(http.MethodGet, "/", nil), target{namespace: "ns", resource: resVMs, name: tc.vm, sub: "expand-spec"})
			if rec.Code != tc.code {
				t.Fatalf("code %d (%s), want %d", rec.Code, rec.Body.String(), tc.code)
			}
			if tc.code == http.StatusOK {
				var vm virtv1.VirtualMachine
				if err := json.Unmarshal(rec.Body.Bytes(), &vm); err != nil || vm.Spec.Template.Spec.Domain.CPU == nil || vm.Spec.Instancetype != nil {
					t.Errorf("answer %s, want the VM expanded", rec.Body.String())
				}
			}
		})
	}
}
