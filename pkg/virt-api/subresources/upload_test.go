package subresources

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

func uploadDV(phase cdiv1beta1.DataVolumePhase) *cdiv1beta1.DataVolume {
	return &cdiv1beta1.DataVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: "ns", UID: "dv-uid"},
		Spec:       cdiv1beta1.DataVolumeSpec{Source: &cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}}},
		Status:     cdiv1beta1.DataVolumeStatus{Phase: phase},
	}
}

func uploadPod(dv *cdiv1beta1.DataVolume, pin string) *corev1.Pod {
	t := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "cdi-upload-disk", Namespace: "ns",
			Annotations: map[string]string{uploadcontract.AnnServerCertSHA256: pin},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "cdi.kubevirt.io/v1beta1", Kind: "DataVolume", Name: dv.Name,
				UID: dv.UID, Controller: &t}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "127.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

func TestDecideUpload(t *testing.T) {
	ready := uploadDV(cdiv1beta1.UploadReady)
	notUpload := uploadDV(cdiv1beta1.Succeeded)
	notUpload.Spec.Source = &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}}
	unready := uploadPod(ready, "ab")
	unready.Status.Conditions[0].Status = corev1.ConditionFalse
	foreign := uploadPod(ready, "ab")
	foreign.OwnerReferences = nil
	for _, tc := range []struct {
		name string
		dv   *cdiv1beta1.DataVolume
		pod  *corev1.Pod
		code int
		msg  string
	}{
		{"ready", ready, uploadPod(ready, "AB"), 0, ""},
		{"not an upload DataVolume", notUpload, nil, http.StatusConflict, "is not an upload DataVolume"},
		{"uploaded already", uploadDV(cdiv1beta1.Succeeded), nil, http.StatusConflict, "uploaded already"},
		{"failed", uploadDV(cdiv1beta1.Failed), nil, http.StatusConflict, "failed"},
		{"still scheduled", uploadDV(cdiv1beta1.UploadScheduled), nil, http.StatusServiceUnavailable, `phase "UploadScheduled"`},
		{"no pod", ready, nil, http.StatusServiceUnavailable, "does not exist yet"},
		{"a pod the DataVolume does not control", ready, foreign, http.StatusServiceUnavailable, "does not exist yet"},
		{"pod not ready", ready, unready, http.StatusServiceUnavailable, "not running and ready"},
		{"no pin", ready, uploadPod(ready, ""), http.StatusServiceUnavailable, "no pinned certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, pin, ref := decideUpload(tc.dv, tc.pod, 8443)
			if tc.code == 0 {
				if ref != nil || u != "https://127.0.0.1:8443/v1beta1/upload" || pin != "ab" {
					t.Fatalf("decideUpload = %q %q %+v", u, pin, ref)
				}
				return
			}
			if ref == nil || ref.code != tc.code || !strings.Contains(ref.msg, tc.msg) {
				t.Fatalf("refusal %+v, want %d %q", ref, tc.code, tc.msg)
			}
		})
	}
}

// fakeUploadServer requires the upload proxy's client certificate, and
// records the Content-Length and body it got; a body "bad" is refused 400.
func fakeUploadServer(t *testing.T, client certs.Pair) (srv *httptest.Server, got *bytes.Buffer, length *int64) {
	t.Helper()
	got, length = &bytes.Buffer{}, new(int64)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != uploadcontract.Path || r.TLS.PeerCertificates[0].Subject.CommonName != certs.UploadProxyCommonName {
			http.Error(w, "wrong path or client", http.StatusForbidden)
			return
		}
		*length = r.ContentLength
		_, _ = io.Copy(got, r.Body)
		if got.String() == "bad" {
			http.Error(w, "Unable to process data: not an image", http.StatusBadRequest)
		}
	}))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(client.CAPEM)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, got, length
}

func TestUploadStreamsToThePinnedServer(t *testing.T) {
	client, err := certs.WriteSelfSigned(t.TempDir(), certs.UploadProxyCommonName, nil)
	if err != nil {
		t.Fatal(err)
	}
	utls, err := NewUploadTLS(UploadClientConfig{CertFile: client.CertFile, KeyFile: client.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	srv, got, length := fakeUploadServer(t, client)
	sum := sha256.Sum256(srv.Certificate().Raw)
	pin := hex.EncodeToString(sum[:])
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	dv := uploadDV(cdiv1beta1.UploadReady)
	send := func(pin, body string, tlsOn bool) (int, metav1.Status) {
		s := New(Config{Kube: kubefake.NewClientset(uploadPod(dv, pin)), Kvirt: kvirtfake.NewSimpleClientset(dv), UploadPort: port})
		if tlsOn {
			s.cfg.UploadTLS = utls
		}
		got.Reset()
		req := httptest.NewRequest(http.MethodPut, "/upload", strings.NewReader(body))
		rec := httptest.NewRecorder()
		s.upload(rec, req, target{namespace: "ns", resource: resDataVolumes, name: "disk", sub: subUpload})
		var st metav1.Status
		_ = json.Unmarshal(rec.Body.Bytes(), &st)
		return rec.Code, st
	}
	image := strings.Repeat("x", 1<<20)
	if code, st := send(pin, image, true); code != http.StatusOK || got.String() != image || *length != int64(len(image)) {
		t.Fatalf("upload: %d %+v, server got %d bytes with Content-Length %d", code, st, got.Len(), *length)
	}
	if code, st := send(pin, "bad", true); code != http.StatusBadRequest || !strings.Contains(st.Message, "not an image") {
		t.Fatalf("refused image: %d %+v", code, st)
	}
	if code, st := send(strings.Repeat("0", 64), image, true); code != http.StatusBadGateway ||
		!strings.Contains(st.Message, "not the one pinned") || got.Len() != 0 {
		t.Fatalf("pin mismatch: %d %+v, server got %d bytes", code, st, got.Len())
	}
	if code, _ := send(pin, image, false); code != http.StatusServiceUnavailable {
		t.Fatalf("without a client certificate: %d", code)
	}
}

func TestUploadOfAMissingDataVolume(t *testing.T) {
	s := New(Config{Kube: kubefake.NewClientset(), Kvirt: kvirtfake.NewSimpleClientset(), UploadTLS: &UploadTLS{}})
	rec := httptest.NewRecorder()
	s.upload(rec, httptest.NewRequest(http.MethodPut, "/upload", strings.NewReader("x")),
		target{namespace: "ns", resource: resDataVolumes, name: "disk", sub: subUpload})
	if rec.Code != http.StatusNotFound {
		t.Fatalf("missing DataVolume: %d %s", rec.Code, rec.Body)
	}
}
