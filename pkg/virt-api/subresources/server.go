package subresources

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/instancetype"
)

// maxBodyBytes bounds an options body.
const maxBodyBytes = 1 << 20

// Config wires a Server.
type Config struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
	// Header says whom to trust for identity headers; HeaderSource, when set,
	// is asked instead on every request (see WatchRequestHeaderConfig).
	Header       RequestHeaderConfig
	HeaderSource interface{ Current() RequestHeaderConfig }
	// NodeTLS reaches virt-handler's node API (see NewNodeTLS); nil leaves
	// the node-side subresources answering 503.
	NodeTLS *NodeTLS
	// UploadTLS reaches DataVolume upload servers (see NewUploadTLS); nil
	// leaves datavolumes/upload answering 503.
	UploadTLS *UploadTLS
	// UploadPort is where upload servers listen; zero is uploadcontract.Port.
	UploadPort int
	// ConsoleWait bounds how long a console request waits for its VMI to run
	// on a node; zero is DefaultConsoleWait.
	ConsoleWait time.Duration
	// ConsoleKeepalive is how often an open console websocket is pinged;
	// zero is wskeepalive.DefaultInterval.
	ConsoleKeepalive time.Duration
	// Instancetypes finds what a VM's instancetype and preference references
	// name, without writing; nil reads them with Kube and Kvirt.
	Instancetypes InstancetypeFinder
	// ConfigVersion, when set, is the resourceVersion of the KubeVirt CR the
	// server runs with, reported by the group's healthz.
	ConfigVersion func() string
	// Clock dates the cached authorization answers; nil is the wall clock.
	Clock clock
}

// InstancetypeFinder is instancetype.Resolver's read-only half.
type InstancetypeFinder interface {
	Find(ctx context.Context, vm *virtv1.VirtualMachine) (instancetype.Resolved, error)
}

// Server serves subresources.kubevirt.io/v1.
type Server struct {
	cfg        Config
	nodeClient *http.Client
	openAPI    openAPIDocs
	// authorize asks for (or remembers) a SubjectAccessReview's answer.
	authorize reviewFunc
}

// New returns a Server.
func New(cfg Config) *Server {
	transport := &http.Transport{ForceAttemptHTTP2: false, IdleConnTimeout: time.Minute}
	if cfg.NodeTLS != nil {
		// A configuration per connection: the CA bundle may have rotated.
		transport.DialTLSContext = cfg.NodeTLS.dialTransport
	}
	if cfg.Instancetypes == nil {
		cfg.Instancetypes = &instancetype.Resolver{Kube: cfg.Kube, Kvirt: cfg.Kvirt}
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	kube := cfg.Kube
	review := func(ctx context.Context, u user, verb string, t target) (bool, string, error) {
		return authorize(ctx, kube, u, verb, t)
	}
	return &Server{cfg: cfg, nodeClient: &http.Client{Transport: transport}, openAPI: newOpenAPIDocs(),
		authorize: newAuthzCache(cfg.Clock, maxAuthzCached).cached(review)}
}

// target is the object a request addresses.
type target struct{ namespace, resource, name, sub string }

// Register adds discovery, the OpenAPI documents, the group's version and
// healthz, and every namespaced route to mux. Discovery, OpenAPI, version and
// healthz answer anyone, as upstream's: the kube-apiserver has already
// authorized the caller (kubevirt.io:default lets every authenticated user
// read version), and they say nothing about any object.
func (s *Server) Register(mux *http.ServeMux) {
	gv := "/apis/" + GroupName + "/" + Version
	mux.HandleFunc("GET /apis", s.serveGroupList)
	mux.HandleFunc("GET /apis/"+GroupName, s.serveGroup)
	mux.HandleFunc("GET "+gv, s.serveResourceList)
	mux.HandleFunc("GET "+gv+"/version", s.serveVersion)
	mux.HandleFunc("GET "+gv+"/healthz", s.serveHealthz)
	s.openAPI.register(mux)
	for _, r := range routes {
		pattern := fmt.Sprintf("%s %s/namespaces/{namespace}/%s", r.method, gv, r.resource)
		if r.sub != "" {
			pattern += "/{name}/" + r.sub + r.params
		}
		mux.Handle(pattern, s.guard(r, s.handlerFor(r)))
	}
}

func (s *Server) handlerFor(r route) func(http.ResponseWriter, *http.Request, target) {
	switch {
	case r.nodeSide:
		return s.nodeSide
	case r.resource == resDataVolumes:
		return s.upload
	case r.resource == resExpandVMSpc:
		return s.expandVMSpec
	case r.sub == "expand-spec":
		return s.expandSpec
	case r.sub == "start":
		return s.start
	case r.sub == "stop":
		return s.stop
	case r.sub == "restart":
		return s.restart
	default:
		return s.migrate
	}
}

// guard authenticates and authorizes a request before handing it on.
func (s *Server) guard(r route, next func(http.ResponseWriter, *http.Request, target)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		t := target{namespace: req.PathValue("namespace"), resource: r.resource, name: req.PathValue("name"), sub: r.sub}
		header := s.cfg.Header
		if s.cfg.HeaderSource != nil {
			header = s.cfg.HeaderSource.Current()
		}
		u, err := header.authenticate(req)
		if err != nil {
			writeStatus(w, &apierrors.NewUnauthorized(err.Error()).ErrStatus)
			return
		}
		ok, reason, err := s.authorize(req.Context(), u, r.verb, t)
		if err != nil {
			writeStatus(w, &apierrors.NewInternalError(err).ErrStatus)
			return
		}
		if !ok {
			gr := schema.GroupResource{Group: GroupName, Resource: r.name()}
			writeStatus(w, &apierrors.NewForbidden(gr, t.name, fmt.Errorf("user %q may not %s it: %s", u.name, r.verb, reason)).ErrStatus)
			return
		}
		klog.FromContext(req.Context()).V(2).Info("subresource request", "user", u.name, "target", r.name(),
			"object", klog.KRef(t.namespace, t.name))
		next(w, req, t)
	})
}

// decodeBody reads an optional JSON options body into into.
func decodeBody(req *http.Request, into any) error {
	raw, err := io.ReadAll(io.LimitReader(req.Body, maxBodyBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decode options: %w", err)
	}
	return nil
}

// load fetches the VM and, when present, its VMI (same name).
func (s *Server) load(ctx context.Context, t target) (*virtv1.VirtualMachine, *virtv1.VirtualMachineInstance, error) {
	vm, err := s.cfg.Kvirt.KubevirtV1().VirtualMachines(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("get vm: %w", err)
	}
	vmi, err := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return vm, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get vmi: %w", err)
	}
	return vm, vmi, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeStatus(w http.ResponseWriter, st *metav1.Status) {
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	writeJSON(w, int(st.Code), st)
}

// writeError turns an error into the matching Status: API errors keep their
// code, refusals become 409/400, anything else is a 500.
func writeError(w http.ResponseWriter, err error) {
	var status apierrors.APIStatus
	if ok := asAPIStatus(err, &status); ok {
		st := status.Status()
		writeStatus(w, &st)
		return
	}
	writeStatus(w, &apierrors.NewInternalError(err).ErrStatus)
}
