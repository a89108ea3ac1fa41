package expand

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

type fakeExpander struct {
	gotName string
	gotVM   *virtv1.VirtualMachine
	err     error
}

func expanded(name string) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{TypeMeta: metav1.TypeMeta{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine"},
		ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func (f *fakeExpander) ExpandSpec(_ context.Context, _, name string) (*virtv1.VirtualMachine, error) {
	f.gotName = name
	return expanded(name), f.err
}

func (f *fakeExpander) ExpandVMSpec(_ context.Context, _ string, vm *virtv1.VirtualMachine) (*virtv1.VirtualMachine, error) {
	f.gotVM = vm
	return expanded(vm.Name + "-expanded"), f.err
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Output: YAML}, "VirtualMachine name or file must be provided"},
		{Options{VM: "x", Output: "table"}, "not supported output format defined: table"},
		{Options{VM: "x", Output: JSON}, ""},
	} {
		err := tc.o.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "vm.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		o     Options
		stdin string
		want  string
	}{
		{"stored vm as yaml", Options{VM: "myvm", Output: YAML}, "", "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: myvm\n"},
		{"file as json", Options{File: file, Output: JSON}, "", "{\n \"kind\": \"VirtualMachine\",\n \"apiVersion\": \"kubevirt.io/v1\",\n \"metadata\": {\n  \"name\": \"fromfile-expanded\""},
		{"stdin", Options{File: "-", Output: YAML}, `{"metadata":{"name":"piped"}}`, "name: piped-expanded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := tc.o.Run(context.Background(), &fakeExpander{}, "ns", strings.NewReader(tc.stdin), &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("printed\n%s\nwant it to contain\n%s", out.String(), tc.want)
			}
		})
	}
	err := Options{VM: "gone", Output: YAML}.Run(context.Background(), &fakeExpander{err: errors.New("not found")}, "ns", nil, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "error expanding VirtualMachine - gone in namespace - ns: not found") {
		t.Errorf("error %v, want upstream's wording", err)
	}
}
