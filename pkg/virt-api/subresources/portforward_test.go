package subresources

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestDecidePortForward: the port and protocol of each form of the route
// become virt-handler's path; a bad port, udp and other protocols are 400.
func TestDecidePortForward(t *testing.T) {
	cases := []struct {
		path, want string
		code       int
	}{
		{"/pf/22", "/portforward/22/tcp", 0},
		{"/pf/80/tcp", "/portforward/80/tcp", 0},
		{"/pf/65535", "/portforward/65535/tcp", 0},
		{"/pf/0", "", http.StatusBadRequest},
		{"/pf/65536", "", http.StatusBadRequest},
		{"/pf/-1", "", http.StatusBadRequest},
		{"/pf/ssh", "", http.StatusBadRequest},
		{"/pf/53/udp", "", http.StatusBadRequest},
		{"/pf/53/sctp", "", http.StatusBadRequest},
	}
	for _, tc := range cases {
		mux := http.NewServeMux()
		var got string
		var ref *refusal
		handle := func(_ http.ResponseWriter, r *http.Request) { got, ref = decidePortForward(r) }
		mux.HandleFunc("/pf"+paramPort, handle)
		mux.HandleFunc("/pf"+paramPort+paramProto, handle)
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tc.path, nil))
		switch {
		case tc.code == 0 && (ref != nil || got != tc.want):
			t.Errorf("%s: got %q, %v; want %q", tc.path, got, ref, tc.want)
		case tc.code != 0 && (ref == nil || ref.code != tc.code):
			t.Errorf("%s: got %q, %v; want refusal %d", tc.path, got, ref, tc.code)
		}
	}
}

// TestPortForwardRoutes: every form of portforward is served (and guarded),
// and discovery advertises only virtualmachineinstances/portforward, as
// upstream's.
func TestPortForwardRoutes(t *testing.T) {
	mux := registered(t)
	for _, p := range []string{"virtualmachineinstances/vmi/portforward/22", "virtualmachineinstances/vmi/portforward/22/tcp",
		"virtualmachines/vm/portforward/22", "virtualmachines/vm/portforward/53/udp"} {
		if rec := serve(mux, http.MethodGet, gvPath+"/namespaces/ns/"+p, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401 (served and guarded)", p, rec.Code)
		}
	}
	rec := serve(mux, http.MethodGet, gvPath, nil)
	var list metav1.APIResourceList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range list.APIResources {
		seen[r.Name]++
	}
	if seen["virtualmachineinstances/portforward"] != 1 || seen["virtualmachines/portforward"] != 0 {
		t.Errorf("discovery portforward entries: %v", seen)
	}
}
