package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
	"kvirt.io/kvirt/pkg/virt-api/admission/unsupported"
	"kvirt.io/kvirt/pkg/virt-api/admission/validating"
)

// Paths the webhooks are served on; the manifests under manifests/virt-api use them.
const (
	PathValidateVM           = "/validate/virtualmachines"
	PathValidateVMI          = "/validate/virtualmachineinstances"
	PathValidateMigration    = "/validate/virtualmachineinstancemigrations"
	PathValidateReplicaSet   = "/validate/virtualmachineinstancereplicasets"
	PathValidateInstancetype = "/validate/instancetypes"
	PathValidatePreference   = "/validate/preferences"
	PathValidateKubeVirt     = "/validate/kubevirts"
	PathValidatePreset       = "/validate/virtualmachineinstancepresets"
	PathMutateVM             = "/mutate/virtualmachines"
	PathMutateVMI            = "/mutate/virtualmachineinstances"
	PathMutateMigration      = "/mutate/virtualmachineinstancemigrations"
)

// lookupTimeout bounds each lookup a rule needs, well inside the 10 s webhook timeout.
const lookupTimeout = 3 * time.Second

// ConfigSource returns the current cluster configuration.
type ConfigSource interface {
	Current() (validating.Config, mutating.Config)
}

// PresetSource lists the VirtualMachineInstancePresets of a namespace (from an
// informer's cache in virt-api); the returned objects must not be modified.
type PresetSource interface {
	Presets(namespace string) ([]*virtv1.VirtualMachineInstancePreset, error)
}

// Config wires a Server.
type Config struct {
	// Client looks up instancetypes, preferences and VMIs; nil skips those lookups.
	Client kvirtclient.Interface
	// Kube reads the PersistentVolumeClaims inferFromVolume names; nil refuses
	// inferFromVolume (no claim can be read).
	Kube kubernetes.Interface
	// Presets supplies the presets applied to new VMIs; nil applies none.
	Presets PresetSource
	// Cluster supplies the cluster configuration; nil means upstream's defaults.
	Cluster ConfigSource
	// InstallNamespace is where kvirt runs: only its component ServiceAccounts
	// there may edit VMI status, labels and spec. Empty trusts no one.
	InstallNamespace string
	// Metrics records admission counts and latencies; nil records nothing.
	Metrics *Metrics
	// Unsupported refuses (or warns about) the fields kvirt accepts but does not
	// implement; compiled once at startup. Nil checks none.
	Unsupported *unsupported.Checker
	// Now and NewUUID default to the wall clock and random UUIDs.
	Now     func() time.Time
	NewUUID func() string
}

// Server holds the admission handlers.
type Server struct {
	cfg     Config
	metrics *Metrics
}

// New returns a Server with cfg's defaults filled in.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewUUID == nil {
		cfg.NewUUID = uuid.NewString
	}
	return &Server{cfg: cfg, metrics: cfg.Metrics}
}

// Register adds every webhook path to mux.
func (s *Server) Register(mux *http.ServeMux) {
	for path, admit := range map[string]admitFunc{
		PathValidateVM:           s.validateVM,
		PathValidateVMI:          s.validateVMI,
		PathValidateMigration:    s.validateMigration,
		PathValidateReplicaSet:   s.validateReplicaSet,
		PathValidateInstancetype: s.validateInstancetype,
		PathValidatePreference:   s.validatePreference,
		PathValidateKubeVirt:     s.validateKubeVirt,
		PathValidatePreset:       s.validatePreset,
		PathMutateVM:             s.mutateVM,
		PathMutateVMI:            s.mutateVMI,
		PathMutateMigration:      s.mutateMigration,
	} {
		mux.Handle(path, s.serve(path, admit))
	}
}

func (s *Server) clusterConfig() (validating.Config, mutating.Config) {
	if s.cfg.Cluster == nil {
		return validating.DefaultConfig(), mutating.DefaultConfig()
	}
	return s.cfg.Cluster.Current()
}

// resolver looks up a VM's references in its namespace through the API, each
// at most once per review (the validators and the unsupported-field check both
// need the instancetype).
type resolver struct {
	ctx       context.Context
	client    kvirtclient.Interface
	namespace string
	its       map[string]*instancetypev1beta1.VirtualMachineInstancetypeSpec
}

func newResolver(ctx context.Context, client kvirtclient.Interface, namespace string) *resolver {
	return &resolver{ctx: ctx, client: client, namespace: namespace, its: map[string]*instancetypev1beta1.VirtualMachineInstancetypeSpec{}}
}

func (r *resolver) Instancetype(kind, name string) (*instancetypev1beta1.VirtualMachineInstancetypeSpec, error) {
	key := strings.ToLower(kind) + "/" + name
	if spec, ok := r.its[key]; ok {
		return spec, nil
	}
	ctx, cancel := context.WithTimeout(r.ctx, lookupTimeout)
	defer cancel()
	api := r.client.InstancetypeV1beta1()
	var (
		spec *instancetypev1beta1.VirtualMachineInstancetypeSpec
		err  error
	)
	if strings.EqualFold(kind, validating.KindInstancetype) {
		var it *instancetypev1beta1.VirtualMachineInstancetype
		if it, err = api.VirtualMachineInstancetypes(r.namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
			spec = &it.Spec
		}
	} else {
		var it *instancetypev1beta1.VirtualMachineClusterInstancetype
		if it, err = api.VirtualMachineClusterInstancetypes().Get(ctx, name, metav1.GetOptions{}); err == nil {
			spec = &it.Spec
		}
	}
	if apierrors.IsNotFound(err) {
		r.its[key] = nil
		return nil, nil
	}
	if err != nil {
		// Accepted all the same (the VM controller reports it); a log line shows
		// e.g. missing RBAC, which would otherwise skip the template checks unseen.
		klog.FromContext(r.ctx).Error(err, "look up instancetype", "kind", kind, "name", name, "namespace", r.namespace)
		return nil, fmt.Errorf("get %s %s: %w", kind, name, err)
	}
	r.its[key] = spec
	return spec, nil
}

// Preference returns the spec of a preference (namespaced kind when kind says
// so, else the cluster kind), or nil when none exists or it cannot be read.
func (r *resolver) Preference(kind, name string) *instancetypev1beta1.VirtualMachinePreferenceSpec {
	ctx, cancel := context.WithTimeout(r.ctx, lookupTimeout)
	defer cancel()
	api := r.client.InstancetypeV1beta1()
	var (
		spec *instancetypev1beta1.VirtualMachinePreferenceSpec
		err  error
	)
	if strings.EqualFold(kind, validating.KindPreference) {
		var p *instancetypev1beta1.VirtualMachinePreference
		if p, err = api.VirtualMachinePreferences(r.namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
			spec = &p.Spec
		}
	} else {
		var p *instancetypev1beta1.VirtualMachineClusterPreference
		if p, err = api.VirtualMachineClusterPreferences().Get(ctx, name, metav1.GetOptions{}); err == nil {
			spec = &p.Spec
		}
	}
	if err != nil && !apierrors.IsNotFound(err) {
		// Accepted, as an instancetype that cannot be read: the VMI's own review
		// still refuses what the preference would add.
		klog.FromContext(r.ctx).Error(err, "look up preference", "kind", kind, "name", name, "namespace", r.namespace)
	}
	return spec
}

// fromKvirt reports whether a request comes from one of kvirt's components:
// their ServiceAccounts in the install namespace, nothing else.
func (s *Server) fromKvirt(req *admissionv1.AdmissionRequest) bool {
	return validating.IsComponent(req.UserInfo.Username, s.cfg.InstallNamespace)
}
