package subresources

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

const (
	resDataVolumes = "datavolumes"
	subUpload      = "upload"
	// maxUploadAnswer bounds the upload server's answer relayed to the client.
	maxUploadAnswer = 64 << 10
	// uploadRetryAfter is the Retry-After of a 503 for a DataVolume not ready yet.
	uploadRetryAfter = 2
)

// UploadClientConfig is virt-api's client certificate for DataVolume upload
// servers (CN certs.UploadProxyCommonName), reloaded when the files change.
type UploadClientConfig struct{ CertFile, KeyFile string }

// UploadTLS dials upload servers with virt-api's client certificate and
// accepts exactly the server certificate pinned on the upload pod.
type UploadTLS struct{ reloader *certs.Reloader }

// NewUploadTLS loads the client pair once so a bad path fails at start-up.
func NewUploadTLS(c UploadClientConfig) (*UploadTLS, error) {
	r, err := certs.NewReloader(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("upload client certificate: %w", err)
	}
	return &UploadTLS{reloader: r}, nil
}

// config pins the server certificate whose SHA-256 is pin. The chain is not
// verified against a CA: the DataVolume controller issued that certificate
// for this one pod and recorded its hash on the pod, which only it wrote.
func (u *UploadTLS) config(pin string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		//nolint:gosec // verification is the pin check below, not a CA chain.
		InsecureSkipVerify: true,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return u.reloader.GetCertificate(nil)
		},
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || certs.Fingerprint(raw[0]) != pin {
				return errPinMismatch
			}
			return nil
		},
	}
}

var errPinMismatch = errors.New("the upload server's certificate is not the one pinned on its pod")

// decideUpload says where an upload into dv goes (the pod's URL and the pinned
// certificate hash) or why it cannot go now: 409 for a DataVolume that is not
// an upload DataVolume, is done or failed; 503 while its upload server is not
// ready.
func decideUpload(dv *cdiv1beta1.DataVolume, pod *corev1.Pod, port int) (url, pin string, ref *refusal) {
	if dv.Spec.Source == nil || dv.Spec.Source.Upload == nil {
		return "", "", conflict("DataVolume %s is not an upload DataVolume (spec.source.upload is not set)", dv.Name)
	}
	switch dv.Status.Phase {
	case cdiv1beta1.Succeeded:
		return "", "", conflict("DataVolume %s has been uploaded already (phase Succeeded)", dv.Name)
	case cdiv1beta1.Failed:
		return "", "", conflict("DataVolume %s failed; delete and recreate it", dv.Name)
	case cdiv1beta1.UploadReady:
	default:
		return "", "", unavailable("DataVolume %s is not ready for an upload yet (phase %q, want UploadReady)",
			dv.Name, dv.Status.Phase)
	}
	if pod == nil || !metav1.IsControlledBy(pod, dv) || pod.DeletionTimestamp != nil {
		return "", "", unavailable("the upload server of DataVolume %s does not exist yet", dv.Name)
	}
	if pod.Status.Phase != corev1.PodRunning || !podReady(pod) || pod.Status.PodIP == "" {
		return "", "", unavailable("the upload server of DataVolume %s is not running and ready yet", dv.Name)
	}
	pin = pod.Annotations[uploadcontract.AnnServerCertSHA256]
	if pin == "" {
		return "", "", unavailable("the upload server pod %s has no pinned certificate (%s)", pod.Name,
			uploadcontract.AnnServerCertSHA256)
	}
	host := net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(port))
	return "https://" + host + uploadcontract.Path, strings.ToLower(pin), nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// upload streams the request body into the DataVolume's upload server and
// relays its answer. The body is never buffered: its Content-Length (or
// chunking) goes on as it came.
func (s *Server) upload(w http.ResponseWriter, req *http.Request, t target) {
	if s.cfg.UploadTLS == nil {
		refuse(w, unavailable("%s", "virt-api has no upload client certificate (--upload-client-cert)"))
		return
	}
	ctx := req.Context()
	dv, err := s.cfg.Kvirt.CdiV1beta1().DataVolumes(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	if err != nil {
		writeError(w, err)
		return
	}
	pod, err := s.cfg.Kube.CoreV1().Pods(t.namespace).Get(ctx, uploadcontract.PodPrefix+t.name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		writeError(w, err)
		return
	}
	if err != nil {
		pod = nil
	}
	port := s.cfg.UploadPort
	if port == 0 {
		port = uploadcontract.Port
	}
	url, pin, ref := decideUpload(dv, pod, port)
	if ref != nil {
		if ref.code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(uploadRetryAfter))
		}
		refuse(w, ref)
		return
	}
	code, msg, err := s.sendUpload(ctx, url, pin, req)
	if err != nil {
		writeStatus(w, &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusBadGateway,
			Reason: metav1.StatusReasonServiceUnavailable, Message: "upload to " + pod.Name + ": " + err.Error()})
		return
	}
	if code == http.StatusOK {
		writeStatus(w, &metav1.Status{Status: metav1.StatusSuccess, Code: http.StatusOK, Message: "upload complete"})
		return
	}
	relayUploadFailure(w, code, msg)
}

// relayUploadFailure answers the upload server's refusal as a Status of the
// same code: 400 for an image it cannot take, 409 for one uploaded already,
// 503 while it is busy, 500 otherwise.
func relayUploadFailure(w http.ResponseWriter, code int, msg string) {
	st := metav1.Status{Status: metav1.StatusFailure, Code: int32(code), Message: "upload server: " + msg,
		Reason: metav1.StatusReasonInternalError}
	switch code {
	case http.StatusBadRequest:
		st.Reason = metav1.StatusReasonBadRequest
	case http.StatusConflict:
		st.Reason = metav1.StatusReasonConflict
	case http.StatusServiceUnavailable:
		st.Reason = metav1.StatusReasonServiceUnavailable
	}
	writeStatus(w, &st)
}

// sendUpload POSTs req's body to url and returns the answer's code and text.
func (s *Server) sendUpload(ctx context.Context, url, pin string, req *http.Request) (int, string, error) {
	out, err := http.NewRequestWithContext(ctx, http.MethodPost, url, req.Body)
	if err != nil {
		return 0, "", err
	}
	out.ContentLength = req.ContentLength
	if req.ContentLength == 0 {
		out.Body = http.NoBody
	}
	out.Header.Set("Content-Type", "application/octet-stream")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: s.cfg.UploadTLS.config(pin), DisableKeepAlives: true,
		TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: false}}
	resp, err := client.Do(out)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, maxUploadAnswer))
	return resp.StatusCode, strings.TrimSpace(string(text)), nil
}
