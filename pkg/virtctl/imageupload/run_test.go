package imageupload

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

const (
	dvPath     = "/apis/cdi.kubevirt.io/v1beta1/namespaces/ns/datavolumes"
	uploadPath = "/apis/subresources.kubevirt.io/v1/namespaces/ns/datavolumes/d/upload"
)

// fakeAPI is just enough of an apiserver: DataVolume get and create, the
// claim lookup and datavolumes/upload, which answers 503 (Retry-After 1) once.
type fakeAPI struct {
	mu        sync.Mutex
	dv        *cdiv1beta1.DataVolume
	gets      int
	uploaded  []byte
	refused   bool
	forbidDV  bool
	forbidUpl bool
}

func status(w http.ResponseWriter, code int, msg string) {
	reason := map[int]metav1.StatusReason{http.StatusNotFound: metav1.StatusReasonNotFound,
		http.StatusForbidden: metav1.StatusReasonForbidden}[code]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: metav1.StatusFailure, Code: int32(code), Message: msg, Reason: reason})
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == dvPath+"/d":
		f.getDV(w)
	case r.Method == http.MethodPost && r.URL.Path == dvPath:
		if f.forbidDV {
			status(w, http.StatusForbidden, `User "u" cannot create resource "datavolumes"`)
			return
		}
		f.dv = &cdiv1beta1.DataVolume{}
		_ = json.NewDecoder(r.Body).Decode(f.dv)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(f.dv)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/namespaces/ns/persistentvolumeclaims/"):
		status(w, http.StatusNotFound, "not found")
	case r.Method == http.MethodPost && r.URL.Path == uploadPath:
		f.upload(w, r)
	default:
		status(w, http.StatusNotFound, r.Method+" "+r.URL.Path)
	}
}

// getDV: not found before the create; UploadScheduled on the first read
// after it, then UploadReady.
func (f *fakeAPI) getDV(w http.ResponseWriter) {
	if f.dv == nil {
		status(w, http.StatusNotFound, `datavolumes.cdi.kubevirt.io "d" not found`)
		return
	}
	f.gets++
	w.Header().Set("Content-Type", "application/json")
	switch {
	case f.uploaded != nil:
		f.dv.Status.Phase = cdiv1beta1.Succeeded
	case f.gets > 1:
		f.dv.Status.Phase = cdiv1beta1.UploadReady
	default:
		f.dv.Status.Phase = cdiv1beta1.UploadScheduled
	}
	_ = json.NewEncoder(w).Encode(f.dv)
}

func (f *fakeAPI) upload(w http.ResponseWriter, r *http.Request) {
	if f.forbidUpl {
		status(w, http.StatusForbidden, `User "u" cannot create resource "datavolumes/upload"`)
		return
	}
	if !f.refused {
		f.refused = true
		w.Header().Set("Retry-After", "1")
		status(w, http.StatusServiceUnavailable, "the upload server is not running and ready yet")
		return
	}
	f.uploaded, _ = io.ReadAll(r.Body)
	status(w, http.StatusOK, "upload complete")
}

func runAgainst(t *testing.T, api *fakeAPI, image []byte) (string, string, error) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(path, image, 0o600); err != nil {
		t.Fatal(err)
	}
	o := valid()
	o.ImagePath, o.WaitSecs = path, 10
	var out, progress bytes.Buffer
	r, err := o.newRunner(&rest.Config{Host: srv.URL}, "ns", Output{Out: &out, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	r.poll = 10 * time.Millisecond
	f, size, err := openImage(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = r.run(ctx, f, size)
	return out.String(), progress.String(), err
}

func TestRunCreatesWaitsAndUploads(t *testing.T) {
	image := bytes.Repeat([]byte("kvirt"), 100_000)
	api := &fakeAPI{}
	out, progress, err := runAgainst(t, api, image)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out, progress)
	}
	if !bytes.Equal(api.uploaded, image) {
		t.Errorf("uploaded %d bytes, want the %d of the image", len(api.uploaded), len(image))
	}
	if api.dv.Spec.Source == nil || api.dv.Spec.Source.Upload == nil {
		t.Errorf("created %+v, want an upload DataVolume", api.dv.Spec)
	}
	for _, want := range []string{"DataVolume ns/d created", "completed successfully"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	if !strings.Contains(progress, "retrying in 1s") || !strings.Contains(progress, "(100%)") {
		t.Errorf("progress %q: want the 503 retry and a last line at 100%%", progress)
	}
}

func TestRunRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		api  *fakeAPI
		want string
	}{
		"create forbidden": {&fakeAPI{forbidDV: true}, "not allowed to create datavolumes in namespace ns"},
		"upload forbidden": {&fakeAPI{forbidUpl: true}, "not allowed to create datavolumes/upload in namespace ns"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := runAgainst(t, tc.api, []byte("x"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestOpenImage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "file not found",
		dir:                           "is a directory",
		empty:                         "is empty",
	} {
		if _, _, err := openImage(path); err == nil || !strings.Contains(err.Error(), "--image-path") ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("openImage(%s) = %v, want %q", path, err, want)
		}
	}
}
