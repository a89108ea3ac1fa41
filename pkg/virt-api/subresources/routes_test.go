package subresources

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"

	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
)

const gvPath = "/apis/subresources.kubevirt.io/v1"

func registered(t *testing.T) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	New(Config{Kube: kubefake.NewClientset(), Kvirt: kvirtfake.NewSimpleClientset(),
		ConfigVersion: func() string { return "42" }}).Register(mux)
	return mux
}

func serve(mux *http.ServeMux, method, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader("{}"))
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

// TestRoutes: which paths are served, and which are guarded (401 without the
// front proxy's certificate) or open (discovery, version, healthz, OpenAPI).
func TestRoutes(t *testing.T) {
	mux := registered(t)
	cases := []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, gvPath + "/version", http.StatusOK},
		{http.MethodGet, gvPath + "/healthz", http.StatusOK},
		{http.MethodGet, gvPath, http.StatusOK},
		{http.MethodGet, "/openapi/v2", http.StatusOK},
		{http.MethodGet, "/openapi/v3", http.StatusOK},
		{http.MethodGet, "/openapi/v3" + gvPath, http.StatusOK},
		{http.MethodPut, gvPath + "/namespaces/ns/expand-vm-spec", http.StatusUnauthorized},
		{http.MethodGet, gvPath + "/namespaces/ns/virtualmachines/vm/expand-spec", http.StatusUnauthorized},
		{http.MethodPut, gvPath + "/namespaces/ns/virtualmachines/vm/migrate", http.StatusUnauthorized},
		{http.MethodPut, gvPath + "/namespaces/ns/virtualmachineinstances/vm/migrate", http.StatusNotFound},
		{http.MethodGet, gvPath + "/namespaces/ns/expand-vm-spec", http.StatusMethodNotAllowed},
		{http.MethodGet, gvPath + "/guestfs", http.StatusNotFound},
	}
	for _, tc := range cases {
		if rec := serve(mux, tc.method, tc.path, nil); rec.Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, rec.Code, rec.Body.String(), tc.code)
		}
	}
}

func TestVersionAndHealthz(t *testing.T) {
	mux := registered(t)
	var v map[string]string
	if err := json.Unmarshal(serve(mux, http.MethodGet, gvPath+"/version", nil).Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"} {
		if v[k] == "" {
			t.Errorf("version lacks %s: %v", k, v)
		}
	}
	var h struct {
		APIServer struct {
			Connectivity string          `json:"connectivity"`
			Version      json.RawMessage `json:"version"`
		} `json:"apiserver"`
		ConfigResourceVersion string `json:"config-resource-version"`
	}
	if err := json.Unmarshal(serve(mux, http.MethodGet, gvPath+"/healthz", nil).Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if h.APIServer.Connectivity != "ok" || len(h.APIServer.Version) == 0 || h.ConfigResourceVersion != "42" {
		t.Errorf("healthz %+v, want connectivity ok, the apiserver's version and the config's resourceVersion", h)
	}
}

func TestDiscoveryListsUpstreamResources(t *testing.T) {
	var list metav1.APIResourceList
	if err := json.Unmarshal(serve(registered(t), http.MethodGet, gvPath, nil).Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]metav1.APIResource{}
	for _, r := range list.APIResources {
		got[r.Name] = r
	}
	for name, verb := range map[string]string{
		"expand-vm-spec": "update", "virtualmachines/expand-spec": "get", "virtualmachines/start": "update",
		"virtualmachines/migrate": "update", "virtualmachineinstances/console": "get",
	} {
		r, ok := got[name]
		if !ok || !r.Namespaced || len(r.Verbs) != 1 || r.Verbs[0] != verb {
			t.Errorf("discovery entry %s = %+v, want namespaced with verb %s", name, r, verb)
		}
	}
	if _, ok := got["virtualmachineinstances/migrate"]; ok {
		t.Error("discovery lists virtualmachineinstances/migrate, which upstream does not serve")
	}
}

// TestOpenAPI: both documents parse as the aggregator parses them and list
// every route; the v3 discovery points at the group's document; an ETag the
// client already has gets a 304.
func TestOpenAPI(t *testing.T) {
	mux := registered(t)
	rec := serve(mux, http.MethodGet, "/openapi/v2", nil)
	var v2 spec.Swagger
	if err := v2.UnmarshalJSON(rec.Body.Bytes()); err != nil {
		t.Fatalf("v2: %v", err)
	}
	if etag := rec.Header().Get("ETag"); etag == "" ||
		serve(mux, http.MethodGet, "/openapi/v2", http.Header{"If-None-Match": {etag}}).Code != http.StatusNotModified {
		t.Errorf("v2 ETag %q does not give a 304", etag)
	}
	var disc struct {
		Paths map[string]struct {
			ServerRelativeURL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(serve(mux, http.MethodGet, "/openapi/v3", nil).Body.Bytes(), &disc); err != nil {
		t.Fatal(err)
	}
	url := disc.Paths["apis/subresources.kubevirt.io/v1"].ServerRelativeURL
	if !strings.HasPrefix(url, "/openapi/v3"+gvPath+"?hash=") {
		t.Fatalf("v3 discovery %+v", disc)
	}
	var v3 spec3.OpenAPI
	if err := json.Unmarshal(serve(mux, http.MethodGet, url, nil).Body.Bytes(), &v3); err != nil {
		t.Fatalf("v3: %v", err)
	}
	for _, op := range operations() {
		v2Item, ok := v2.Paths.Paths[op.path]
		if !ok || (op.method == http.MethodPut && v2Item.Put == nil) || (op.method == http.MethodGet && v2Item.Get == nil) {
			t.Errorf("v2 lacks %s %s", op.method, op.path)
		}
		v3Item := v3.Paths.Paths[op.path]
		if v3Item == nil || (op.method == http.MethodPut && v3Item.Put == nil) || (op.method == http.MethodGet && v3Item.Get == nil) {
			t.Errorf("v3 lacks %s %s", op.method, op.path)
		}
	}
	paths := map[string]bool{}
	for _, r := range routes {
		paths[r.name()+r.params] = true
	}
	if len(v2.Paths.Paths) != len(paths)+2 {
		t.Errorf("v2 has %d paths, want every route plus version and healthz", len(v2.Paths.Paths))
	}
}
