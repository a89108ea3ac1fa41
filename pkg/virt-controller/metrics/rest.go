package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type restMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newRESTMetrics(reg prometheus.Registerer) *restMetrics {
	m := &restMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubevirt_rest_client_requests_total",
			Help: "Requests to the apiserver by status code, verb and resource.",
		}, []string{"code", "verb", "resource"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kubevirt_rest_client_request_latency_seconds",
			Help:    "Apiserver request latency by verb and resource.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"verb", "resource"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// WrapTransport counts every request of a rest.Config's client; assign it to
// rest.Config.WrapTransport.
func (r *Registry) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	return roundTripper{next: rt, m: r.rest}
}

type roundTripper struct {
	next http.RoundTripper
	m    *restMetrics
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	verb, resource := Classify(req.Method, req.URL.Path, req.URL.Query().Get("watch"))
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	code := "<error>"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.m.requests.WithLabelValues(code, verb, resource).Inc()
	t.m.latency.WithLabelValues(verb, resource).Observe(time.Since(start).Seconds())
	return resp, err
}

// Classify maps an apiserver request to its Kubernetes verb (get, list, watch,
// create, update, patch, delete, deletecollection) and resource (with
// "/subresource" when there is one).
func Classify(method, path, watch string) (verb, resource string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	// /api/v1/... or /apis/group/version/...
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return strings.ToLower(method), "<other>"
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) != 2 {
		parts = parts[2:]
	}
	named := len(parts) >= 2
	if len(parts) == 0 {
		return strings.ToLower(method), "<other>"
	}
	resource = parts[0]
	if len(parts) >= 3 {
		resource += "/" + parts[2]
	}
	return verbOf(method, named, watch == "true" || watch == "1"), resource
}

func verbOf(method string, named, watch bool) string {
	switch method {
	case http.MethodGet:
		switch {
		case watch:
			return "watch"
		case named:
			return "get"
		default:
			return "list"
		}
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(method)
}
