package subresources

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// fakeGroup answers the group's routes: version, expand-vm-spec refusing with a
// Status, expand-spec echoing a VM.
func fakeGroup(t *testing.T) *Client {
	t.Helper()
	mux := http.NewServeMux()
	gv := "/apis/subresources.kubevirt.io/v1"
	mux.HandleFunc("GET "+gv+"/version", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"gitVersion":"v9","gitTreeState":"clean","compiler":"gc"}`))
	})
	mux.HandleFunc("PUT "+gv+"/namespaces/ns/expand-vm-spec", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		st := apierrors.NewBadRequest(`instancetype "absent": not found`).ErrStatus
		st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET "+gv+"/namespaces/ns/virtualmachines/vm/expand-spec", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"kind":"VirtualMachine","metadata":{"name":"vm"}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVersionAndExpand(t *testing.T) {
	c := fakeGroup(t)
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v.GitVersion != "v9" || v.GitTreeState != "clean" || v.Compiler != "gc" {
		t.Errorf("version %+v, %v", v, err)
	}
	vm, err := c.ExpandSpec(ctx, "ns", "vm")
	if err != nil || vm.Name != "vm" {
		t.Errorf("expand-spec %+v, %v", vm, err)
	}
	// An error answer is decoded into the server's Status, reason and message.
	_, err = c.ExpandVMSpec(ctx, "ns", &virtv1.VirtualMachine{})
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), `instancetype "absent": not found`) {
		t.Errorf("expand-vm-spec error %v, want the server's 400 and message", err)
	}
}
