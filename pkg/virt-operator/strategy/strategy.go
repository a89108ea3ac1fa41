package strategy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// Labels every object of the install carries.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "virt-operator"
	PartOfLabel    = "app.kubernetes.io/part-of"
	PartOfValue    = "kvirt"
	// InstallLabel holds the UID of the KubeVirt resource the object was installed for.
	InstallLabel = "kubevirt.io/install"
	// ComponentLabel is the pod label of each component (kubevirt.io: virt-api, ...).
	ComponentLabel = "kubevirt.io"
)

// Component names: Deployment/DaemonSet names and their kubevirt.io label values.
const (
	VirtAPI        = "virt-api"
	VirtController = "virt-controller"
	VirtHandler    = "virt-handler"
	VirtLauncher   = "virt-launcher"
)

// DefaultKubeletRootDir is the kubelet's usual root directory.
const DefaultKubeletRootDir = "/var/lib/kubelet"

// Object is what the install consists of: a typed Kubernetes object with metadata.
type Object interface {
	metav1.Object
	runtime.Object
}

// Images are the component images the operator was started with.
type Images struct {
	API, Controller, Handler, Launcher string
	// Importer is the DataVolume importer's image; empty means the install
	// never serves the DataVolume API itself.
	Importer string
}

// Config is the operator's side of the install.
type Config struct {
	// Namespace receives every namespaced object (normally kubevirt).
	Namespace string
	Images    Images
	// KubeletRootDir is the node's kubelet root; device plugins register below it.
	KubeletRootDir string
	// KubeletPodsDir is where the kubelet keeps its pods' volumes, which
	// virt-handler reads launcher sockets from; empty means KubeletRootDir/pods.
	// It differs when the kubelet runs with another --root-dir (device plugins
	// stay under /var/lib/kubelet whatever that flag says).
	KubeletPodsDir string
	// CABundle is written into the webhook configurations and the APIService.
	CABundle []byte
	// ServeDataVolumes installs the cdi.kubevirt.io DataVolume and DataSource
	// CRDs and runs virt-controller's DataVolume controller (see
	// ServeDataVolumes, which decides it from the cluster).
	ServeDataVolumes bool
}

// Desired returns every object the install consists of, in creation order:
// namespace, CRDs (with ServeDataVolumes the cdi.kubevirt.io ones), RBAC, Services, registration, the node restriction policy
// (before virt-handler starts), the components, then (unless
// disabled) the common instancetypes and preferences, whose CRDs come first.
func Desired(kv *virtv1.KubeVirt, cfg Config) ([]Object, error) {
	out := []Object{namespace(cfg.Namespace)}
	crds, err := CRDs()
	if err != nil {
		return nil, err
	}
	for _, c := range crds {
		if c.Name != KubeVirtCRDName { // shipped by the release manifest, not by the operator
			out = append(out, c)
		}
	}
	if cfg.ServeDataVolumes {
		cdi, err := DataVolumeCRDs()
		if err != nil {
			return nil, err
		}
		for _, c := range cdi {
			out = append(out, c)
		}
	}
	for _, o := range rbac.Objects(cfg.Namespace) {
		obj, ok := o.(Object)
		if !ok {
			return nil, fmt.Errorf("rbac object %T has no metadata", o)
		}
		out = append(out, obj)
	}
	out = append(out, VirtAPIService(cfg.Namespace), MetricsService(cfg.Namespace))
	reg, err := Registration(cfg.Namespace, cfg.CABundle)
	if err != nil {
		return nil, err
	}
	out = append(out, reg...)
	out = append(out, NodeRestriction(cfg.Namespace)...)
	out = append(out, Components(kv, cfg)...)
	if CommonInstancetypesEnabled(kv) {
		common, err := CommonInstancetypes()
		if err != nil {
			return nil, err
		}
		out = append(out, common...)
	}
	Label(kv, out...)
	return out, nil
}

// Label adds the install labels to objs (e.g. the certificates, which the certs
// package renders).
func Label(kv *virtv1.KubeVirt, objs ...Object) {
	for _, o := range objs {
		o.SetLabels(withInstallLabels(o.GetLabels(), kv))
	}
}

// Components are the workloads: the virt-api and virt-controller Deployments and
// the virt-handler DaemonSet.
func Components(kv *virtv1.KubeVirt, cfg Config) []Object {
	images := EffectiveImages(kv, cfg.Images)
	return []Object{virtAPIDeployment(kv, cfg, images), virtControllerDeployment(kv, cfg, images), virtHandlerDaemonSet(kv, cfg, images)}
}

// DeploymentID identifies what the components look like: it changes exactly when
// a component would roll.
func DeploymentID(kv *virtv1.KubeVirt, cfg Config) string {
	h := sha256.New()
	for _, o := range Components(kv, cfg) {
		b, _ := json.Marshal(o)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func withInstallLabels(l map[string]string, kv *virtv1.KubeVirt) map[string]string {
	out := map[string]string{ManagedByLabel: ManagedByValue, PartOfLabel: PartOfValue}
	if kv != nil && kv.UID != "" {
		out[InstallLabel] = string(kv.UID)
	}
	for k, v := range l {
		out[k] = v
	}
	return out
}

// InstallSelector selects every object the operator created.
func InstallSelector() string { return ManagedByLabel + "=" + ManagedByValue }

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"pod-security.kubernetes.io/enforce": "privileged",
		}},
	}
}

// EffectiveImages applies spec.imageRegistry (replaces everything before the last
// "/") and spec.imageTag (replaces the tag or digest) to the configured images.
func EffectiveImages(kv *virtv1.KubeVirt, in Images) Images {
	if kv == nil {
		return in
	}
	f := func(img string) string { return overrideImage(img, kv.Spec.ImageRegistry, kv.Spec.ImageTag) }
	out := Images{API: f(in.API), Controller: f(in.Controller), Handler: f(in.Handler), Launcher: f(in.Launcher)}
	if in.Importer != "" {
		out.Importer = f(in.Importer)
	}
	return out
}

func overrideImage(img, registry, tag string) string {
	repo, ref, sep := splitImage(img)
	if registry != "" {
		repo = strings.TrimSuffix(registry, "/") + "/" + repo[strings.LastIndex(repo, "/")+1:]
	}
	if tag != "" {
		ref, sep = tag, ":"
		if strings.HasPrefix(tag, "sha256:") {
			sep = "@"
		}
	}
	if ref == "" {
		return repo
	}
	return repo + sep + ref
}

// splitImage splits an image reference into repository, tag or digest, and the
// separator between them (":" or "@").
func splitImage(img string) (repo, ref, sep string) {
	if i := strings.Index(img, "@"); i >= 0 {
		return img[:i], img[i+1:], "@"
	}
	if i := strings.LastIndex(img, ":"); i > strings.LastIndex(img, "/") {
		return img[:i], img[i+1:], ":"
	}
	return img, "", ""
}

// Registry is the registry part of the virt-api image in effect (what the status
// reports as observedKubeVirtRegistry).
func Registry(kv *virtv1.KubeVirt, in Images) string {
	repo, _, _ := splitImage(EffectiveImages(kv, in).API)
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		return repo[:i]
	}
	return ""
}

func pullPolicy(kv *virtv1.KubeVirt) corev1.PullPolicy {
	if kv != nil && kv.Spec.ImagePullPolicy != "" {
		return kv.Spec.ImagePullPolicy
	}
	return corev1.PullIfNotPresent
}

// serialConsoleLogDisabled: spec.configuration.virtualMachineOptions
// .disableSerialConsoleLog is present (it has no fields; upstream logs by default).
func serialConsoleLogDisabled(kv *virtv1.KubeVirt) bool {
	return kv != nil && kv.Spec.Configuration.VirtualMachineOptions != nil &&
		kv.Spec.Configuration.VirtualMachineOptions.DisableSerialConsoleLog != nil
}

// launcherVerbosity is logVerbosity.virtLauncher, which virt-controller puts
// on the launcher pods it renders (a change rolls virt-controller; running
// launchers keep their level).
func launcherVerbosity(kv *virtv1.KubeVirt) *int32 {
	if kv == nil || kv.Spec.Configuration.DeveloperConfiguration == nil ||
		kv.Spec.Configuration.DeveloperConfiguration.LogVerbosity == nil {
		return nil
	}
	return kv.Spec.Configuration.DeveloperConfiguration.LogVerbosity.VirtLauncher
}

// heartbeatTimeout is the KubeVirt CR's NodeHeartbeatTimeoutAnnotation when it
// holds a valid duration; ok is false when it is unset or invalid (the
// components keep their defaults).
func heartbeatTimeout(kv *virtv1.KubeVirt) (timeout time.Duration, ok bool) {
	if kv == nil {
		return 0, false
	}
	raw, set := kv.Annotations[virtv1.NodeHeartbeatTimeoutAnnotation]
	if !set {
		return 0, false
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < virtv1.MinNodeHeartbeatTimeout {
		return 0, false
	}
	return d, true
}

// heartbeatInterval is how often virt-handler beats for a timeout: five beats
// per timeout, at most one a minute (upstream's interval).
func heartbeatInterval(timeout time.Duration) time.Duration {
	return min(time.Minute, timeout/5)
}

func useEmulation(kv *virtv1.KubeVirt) bool {
	if kv == nil || kv.Spec.Configuration.DeveloperConfiguration == nil {
		return false
	}
	u := kv.Spec.Configuration.DeveloperConfiguration.UseEmulation
	return u != nil && *u
}
