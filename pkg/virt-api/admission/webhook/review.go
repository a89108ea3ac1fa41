package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/klog/v2"
)

// maxReviewBytes bounds a request body; the apiserver's own limit is 3 MiB objects.
const maxReviewBytes = 8 << 20

// admitFunc decides one admission request; ctx ends with the HTTP request.
type admitFunc func(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse

// serve wraps an admitFunc into an http.Handler speaking AdmissionReview v1.
func (s *Server) serve(path string, admit admitFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := klog.FromContext(r.Context())
		start := time.Now()
		if r.Method != http.MethodPost {
			http.Error(w, "admission reviews are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxReviewBytes))
		if err != nil {
			http.Error(w, fmt.Sprintf("read body: %v", err), http.StatusBadRequest)
			return
		}
		review := &admissionv1.AdmissionReview{}
		if err := json.Unmarshal(body, review); err != nil || review.Request == nil {
			http.Error(w, "body is not an AdmissionReview with a request", http.StatusBadRequest)
			return
		}
		resp := admit(r.Context(), review.Request)
		resp.UID = review.Request.UID
		out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
		s.metrics.observe(path, string(review.Request.Operation), resp.Allowed, time.Since(start))
		if !resp.Allowed {
			log.V(2).Info("admission denied", "path", path, "name", review.Request.Name,
				"namespace", review.Request.Namespace, "message", resp.Result.Message)
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(out); err != nil {
			log.Error(err, "write admission response", "path", path)
		}
	})
}

func allowed() *admissionv1.AdmissionResponse { return &admissionv1.AdmissionResponse{Allowed: true} }

// verdict allows when errs is empty and otherwise denies with a 422 Invalid
// status that lists every violation as a cause with its field path.
func verdict(req *admissionv1.AdmissionRequest, errs field.ErrorList) *admissionv1.AdmissionResponse {
	if len(errs) == 0 {
		return allowed()
	}
	gk := schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}
	status := apierrors.NewInvalid(gk, req.Name, errs).ErrStatus
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &status}
}

// badRequest denies a request whose object cannot be decoded.
func badRequest(err error) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusBadRequest, Reason: metav1.StatusReasonBadRequest,
		Message: fmt.Sprintf("decode object: %v", err),
	}}
}

// internalError denies a request the webhook could not decide.
func internalError(err error) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusInternalServerError, Reason: metav1.StatusReasonInternalError,
		Message: err.Error(),
	}}
}

// decode unmarshals the new (or, with old, the old) object of a request.
func decode(req *admissionv1.AdmissionRequest, obj any, old bool) error {
	raw := req.Object.Raw
	if old {
		raw = req.OldObject.Raw
	}
	if len(raw) == 0 {
		return fmt.Errorf("request carries no object")
	}
	if err := json.Unmarshal(raw, obj); err != nil {
		return fmt.Errorf("unmarshal %s: %w", req.Kind.Kind, err)
	}
	return nil
}

// patchOp is one JSON patch operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// patched allows with a JSON patch (empty ops allow without a patch).
func patched(ops []patchOp) *admissionv1.AdmissionResponse {
	if len(ops) == 0 {
		return allowed()
	}
	raw, err := json.Marshal(ops)
	if err != nil {
		return internalError(fmt.Errorf("marshal patch: %w", err))
	}
	pt := admissionv1.PatchTypeJSONPatch
	return &admissionv1.AdmissionResponse{Allowed: true, Patch: raw, PatchType: &pt}
}
