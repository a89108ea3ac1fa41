package imageupload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// maxAnswer bounds the answer read back from an upload.
const maxAnswer = 64 << 10

// uploader POSTs images to virt-api's datavolumes/upload through the
// Kubernetes API with the kubeconfig's transport, so the apiserver
// authenticates the user and authorizes create on datavolumes/upload.
type uploader struct {
	client *http.Client
	rest   *rest.RESTClient
}

func newUploader(cfg *rest.Config) (*uploader, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &virtv1.SubresourceGroupVersion
	c.APIPath = "/apis"
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	rc, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("upload client: %w", err)
	}
	return &uploader{client: rc.Client, rest: rc}, nil
}

// answer is what one upload attempt got back.
type answer struct {
	code    int
	message string
	// retryAfter is the Retry-After of a 503; zero when there was none.
	retryAfter time.Duration
}

// post streams size bytes of body as one request and returns the answer.
func (u *uploader) post(ctx context.Context, namespace, name string, body io.Reader, size int64) (answer, error) {
	url := u.rest.Post().Namespace(namespace).Resource("datavolumes").Name(name).SubResource("upload").URL()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url.String(), body)
	if err != nil {
		return answer{}, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Accept", "application/json")
	resp, err := u.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	a := answer{code: resp.StatusCode, message: statusMessage(raw)}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		a.retryAfter = time.Duration(s) * time.Second
	}
	return a, nil
}

// statusMessage is the message of a metav1.Status answer, else the text.
func statusMessage(raw []byte) string {
	var st metav1.Status
	if json.Unmarshal(raw, &st) == nil && st.Message != "" {
		return st.Message
	}
	return strings.TrimSpace(string(raw))
}

// errRetry marks an answer worth another attempt after its Retry-After.
var errRetry = errors.New("retry")

// explain turns a non-200 answer into the error the user sees, naming what
// was refused and why; a 503 with Retry-After wraps errRetry.
func explain(a answer, namespace, name string) error {
	ref := namespace + "/" + name
	switch a.code {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized:
		return fmt.Errorf("the Kubernetes API did not accept your credentials for the upload: %s", a.message)
	case http.StatusForbidden:
		return fmt.Errorf("not allowed to create datavolumes/upload in namespace %s "+
			"(needs create on datavolumes/upload in API group %s): %s", namespace, virtv1.SubresourceGroupName, a.message)
	case http.StatusNotFound:
		return fmt.Errorf("DataVolume %s or the datavolumes/upload API was not found (is kvirt's virt-api installed?): %s",
			ref, a.message)
	case http.StatusConflict:
		return fmt.Errorf("DataVolume %s cannot take an upload: %s", ref, a.message)
	case http.StatusBadRequest:
		return fmt.Errorf("the upload server refused the image for DataVolume %s: %s", ref, a.message)
	case http.StatusServiceUnavailable:
		if a.retryAfter > 0 {
			return fmt.Errorf("%w: %s", errRetry, a.message)
		}
	case http.StatusGatewayTimeout:
		return fmt.Errorf("the Kubernetes API server timed out the upload into DataVolume %s: a request through the API "+
			"must finish within the apiserver's --request-timeout (60s by default): %s", ref, a.message)
	}
	return fmt.Errorf("upload into DataVolume %s failed (HTTP %d): %s", ref, a.code, a.message)
}
