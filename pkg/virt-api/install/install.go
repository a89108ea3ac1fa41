package install

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"

	"kvirt.io/kvirt/pkg/virt-api/admission/webhook"
	"kvirt.io/kvirt/pkg/virt-api/subresources"
)

// Names of the registration objects.
const (
	ValidatingName = "virt-api-validator"
	MutatingName   = "virt-api-mutator"
	APIServiceName = subresources.Version + "." + subresources.GroupName
	// timeoutSeconds is upstream's webhook timeout.
	timeoutSeconds = 10
)

// Target says how the apiserver reaches virt-api: a Service in the cluster, or
// a URL (e.g. https://127.0.0.1:PORT for a local process).
type Target struct {
	// ServiceNamespace and ServiceName name the virt-api Service; ServicePort is
	// its port (default 443).
	ServiceNamespace, ServiceName string
	ServicePort                   int32
	// URL, when set, is used for webhooks instead of the Service.
	URL string
	// CABundle verifies virt-api's serving certificate; empty leaves it to the
	// operator to fill in.
	CABundle []byte
}

func (t Target) clientConfig(path string) admissionregistrationv1.WebhookClientConfig {
	if t.URL != "" {
		return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(t.URL + path), CABundle: t.CABundle}
	}
	return admissionregistrationv1.WebhookClientConfig{CABundle: t.CABundle, Service: &admissionregistrationv1.ServiceReference{
		Namespace: t.ServiceNamespace, Name: t.ServiceName, Path: ptr.To(path), Port: ptr.To(t.port()),
	}}
}

func (t Target) port() int32 {
	if t.ServicePort == 0 {
		return 443
	}
	return t.ServicePort
}

// rule intercepts operations on resources of a group.
func rule(group string, ops []admissionregistrationv1.OperationType, resources ...string) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: ops,
		Rule: admissionregistrationv1.Rule{
			APIGroups: []string{group}, APIVersions: []string{"v1", "v1alpha3", "v1beta1"},
			Resources: resources, Scope: ptr.To(admissionregistrationv1.AllScopes),
		},
	}}
}

var (
	createUpdate = []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}
	createOnly   = []admissionregistrationv1.OperationType{admissionregistrationv1.Create}
)

type hook struct {
	name, path, group string
	ops               []admissionregistrationv1.OperationType
	resources         []string
}

// ValidatingWebhooks is virt-api's validating webhook configuration.
func ValidatingWebhooks(t Target) *admissionregistrationv1.ValidatingWebhookConfiguration {
	hooks := []hook{
		{"virtualmachine-validator.kubevirt.io", webhook.PathValidateVM, "kubevirt.io", createUpdate, []string{"virtualmachines"}},
		{"virtualmachineinstances-validator.kubevirt.io", webhook.PathValidateVMI, "kubevirt.io", createUpdate, []string{"virtualmachineinstances"}},
		{"migration-validator.kubevirt.io", webhook.PathValidateMigration, "kubevirt.io", createUpdate, []string{"virtualmachineinstancemigrations"}},
		{"replicaset-validator.kubevirt.io", webhook.PathValidateReplicaSet, "kubevirt.io", createUpdate, []string{"virtualmachineinstancereplicasets"}},
		{"kubevirt-validator.kubevirt.io", webhook.PathValidateKubeVirt, "kubevirt.io", createUpdate, []string{"kubevirts"}},
		{"virtualmachinepreset-validator.kubevirt.io", webhook.PathValidatePreset, "kubevirt.io", createUpdate, []string{"virtualmachineinstancepresets"}},
		{"instancetype-validator.instancetype.kubevirt.io", webhook.PathValidateInstancetype, "instancetype.kubevirt.io", createUpdate,
			[]string{"virtualmachineinstancetypes", "virtualmachineclusterinstancetypes"}},
		{"preference-validator.instancetype.kubevirt.io", webhook.PathValidatePreference, "instancetype.kubevirt.io", createUpdate,
			[]string{"virtualmachinepreferences", "virtualmachineclusterpreferences"}},
	}
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: ValidatingName, Labels: map[string]string{"kubevirt.io": "virt-api"}},
	}
	for _, h := range hooks {
		cfg.Webhooks = append(cfg.Webhooks, admissionregistrationv1.ValidatingWebhook{
			Name: h.name, ClientConfig: t.clientConfig(h.path), Rules: rule(h.group, h.ops, h.resources...),
			FailurePolicy: ptr.To(admissionregistrationv1.Fail), SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds: ptr.To[int32](timeoutSeconds), AdmissionReviewVersions: []string{"v1"},
			MatchPolicy: ptr.To(admissionregistrationv1.Equivalent),
		})
	}
	return cfg
}

// MutatingWebhooks is virt-api's mutating webhook configuration: VM create, VMI
// create (defaults) and update (status reverts), migration create.
func MutatingWebhooks(t Target) *admissionregistrationv1.MutatingWebhookConfiguration {
	hooks := []hook{
		{"virtualmachines-mutator.kubevirt.io", webhook.PathMutateVM, "kubevirt.io", createOnly, []string{"virtualmachines"}},
		{"virtualmachineinstances-mutator.kubevirt.io", webhook.PathMutateVMI, "kubevirt.io", createUpdate, []string{"virtualmachineinstances"}},
		{"migration-create-mutator.kubevirt.io", webhook.PathMutateMigration, "kubevirt.io", createOnly, []string{"virtualmachineinstancemigrations"}},
	}
	cfg := &admissionregistrationv1.MutatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: MutatingName, Labels: map[string]string{"kubevirt.io": "virt-api"}},
	}
	for _, h := range hooks {
		cfg.Webhooks = append(cfg.Webhooks, admissionregistrationv1.MutatingWebhook{
			Name: h.name, ClientConfig: t.clientConfig(h.path), Rules: rule(h.group, h.ops, h.resources...),
			FailurePolicy: ptr.To(admissionregistrationv1.Fail), SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds: ptr.To[int32](timeoutSeconds), AdmissionReviewVersions: []string{"v1"},
			MatchPolicy:        ptr.To(admissionregistrationv1.Equivalent),
			ReinvocationPolicy: ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
		})
	}
	return cfg
}

// APIService registers subresources.kubevirt.io/v1 behind the virt-api Service.
func APIService(t Target) *apiregistrationv1.APIService {
	return &apiregistrationv1.APIService{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apiregistration.k8s.io/v1", Kind: "APIService"},
		ObjectMeta: metav1.ObjectMeta{Name: APIServiceName, Labels: map[string]string{"kubevirt.io": "virt-api"}},
		Spec: apiregistrationv1.APIServiceSpec{
			Service: &apiregistrationv1.ServiceReference{Namespace: t.ServiceNamespace, Name: t.ServiceName, Port: ptr.To(t.port())},
			Group:   subresources.GroupName, Version: subresources.Version,
			CABundle: t.CABundle, GroupPriorityMinimum: 1000, VersionPriority: 15,
		},
	}
}

// ExternalNameService points the APIService's Service at a host name; the
// aggregator resolves it, which lets a local process (host "localhost") serve.
func ExternalNameService(namespace, name, host string, port int32) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: host,
			Ports: []corev1.ServicePort{{Name: "https", Port: port, Protocol: corev1.ProtocolTCP}}},
	}
}
