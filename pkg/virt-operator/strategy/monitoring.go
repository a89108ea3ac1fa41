package strategy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"

	virtv1 "kvirt.io/api/core/v1"
)

// Monitoring: the label every component pod carries so Prometheus finds it, the
// objects the operator installs for a Prometheus (upstream's names and defaults).
const (
	// PrometheusLabel marks the pods whose metrics Prometheus scrapes.
	PrometheusLabel = "prometheus.kubevirt.io"
	// MetricsServiceName is the headless Service selecting every PrometheusLabel pod.
	MetricsServiceName = "kubevirt-prometheus-metrics"
	// PrometheusRuleName names the PrometheusRule with the recording rules and alerts.
	PrometheusRuleName = "prometheus-kubevirt-rules"
	// ServiceMonitorName names the ServiceMonitor.
	ServiceMonitorName = "kubevirt"
	// MonitoringRBACName names the Role and RoleBinding granting the monitoring account reads.
	MonitoringRBACName = "kubevirt-prometheus-metrics"
	// MonitoringGroupVersion is the prometheus-operator API the objects belong to.
	MonitoringGroupVersion = "monitoring.coreos.com/v1"
	// DefaultMonitorNamespace and DefaultMonitorAccount are spec.monitorNamespace and
	// spec.monitorAccount when unset.
	DefaultMonitorNamespace = "openshift-monitoring"
	DefaultMonitorAccount   = "prometheus-k8s"
	// RunbookBaseURL prefixes every alert's runbook_url: the runbooks live in the
	// repository, docs/runbooks/<Alert>.md.
	RunbookBaseURL = "docs/runbooks/"
	// VirtOperator names virt-operator (its Deployment ships in the release manifest).
	VirtOperator = "virt-operator"
)

// MonitoringTarget is where the monitoring objects go for kv: the namespace and
// account of the Prometheus, and the namespace of the ServiceMonitor.
type MonitoringTarget struct {
	Namespace, Account, ServiceMonitorNamespace string
}

// MonitoringTargetOf applies the defaults to kv's spec.monitorNamespace,
// spec.monitorAccount and spec.serviceMonitorNamespace.
func MonitoringTargetOf(kv *virtv1.KubeVirt) MonitoringTarget {
	t := MonitoringTarget{Namespace: DefaultMonitorNamespace, Account: DefaultMonitorAccount}
	if kv == nil {
		t.ServiceMonitorNamespace = t.Namespace
		return t
	}
	if kv.Spec.MonitorNamespace != "" {
		t.Namespace = kv.Spec.MonitorNamespace
	}
	if kv.Spec.MonitorAccount != "" {
		t.Account = kv.Spec.MonitorAccount
	}
	t.ServiceMonitorNamespace = t.Namespace
	if kv.Spec.ServiceMonitorNamespace != "" {
		t.ServiceMonitorNamespace = kv.Spec.ServiceMonitorNamespace
	}
	return t
}

// MetricsService is the headless Service over every component pod's metrics port
// ("metrics" over HTTP: virt-controller, virt-operator; "https": virt-api;
// "https-metrics": virt-handler on its node's address).
func MetricsService(ns string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: MetricsServiceName, Labels: map[string]string{PrometheusLabel: "true"}},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  map[string]string{PrometheusLabel: "true"},
			Ports: []corev1.ServicePort{
				{Name: "metrics", Port: VirtControllerPort, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP},
				{Name: "https", Port: VirtAPIPort, TargetPort: intstr.FromString("https"), Protocol: corev1.ProtocolTCP},
				// Its own service port: the Service already uses 8443 for virt-api.
				{Name: "https-metrics", Port: VirtHandlerMetricsPort + 1, TargetPort: intstr.FromString("https-metrics"),
					Protocol: corev1.ProtocolTCP},
			},
		},
	}
}

// Monitoring returns the objects installed for a Prometheus run by the
// prometheus-operator: the Role and RoleBinding letting its account read the
// install namespace's endpoints, the ServiceMonitor and the PrometheusRule. The
// reconcile applies them only while the monitoring API and account exist.
func Monitoring(kv *virtv1.KubeVirt, ns string) []Object {
	t := MonitoringTargetOf(kv)
	out := []Object{
		&rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: MonitoringRBACName},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"services", "endpoints", "pods"},
				Verbs: []string{"get", "list", "watch"}}},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: MonitoringRBACName},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: MonitoringRBACName},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: t.Account, Namespace: t.Namespace}},
		},
		serviceMonitor(ns, t.ServiceMonitorNamespace),
		PrometheusRule(ns),
	}
	Label(kv, out...)
	return out
}

func serviceMonitor(ns, smNS string) *unstructured.Unstructured {
	endpoint := func(port, scheme string) map[string]any {
		// honorLabels: a VMI's namespace and name label its domain stats, not the
		// scraped pod's.
		e := map[string]any{"port": port, "scheme": scheme, "path": "/metrics", "interval": "30s", "honorLabels": true}
		if scheme == "https" {
			e["tlsConfig"] = map[string]any{"insecureSkipVerify": true}
		}
		return e
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"namespaceSelector": map[string]any{"matchNames": []any{ns}},
			"selector":          map[string]any{"matchLabels": map[string]any{PrometheusLabel: "true"}},
			"endpoints": []any{endpoint("metrics", "http"), endpoint("https", "https"),
				endpoint("https-metrics", "https")},
		},
	}}
	u.SetAPIVersion(MonitoringGroupVersion)
	u.SetKind("ServiceMonitor")
	u.SetNamespace(smNS)
	u.SetName(ServiceMonitorName)
	return u
}

// PrometheusRule is the PrometheusRule in ns: the recording rules
// kubevirt_virt_{api,controller,handler,operator}_up and the alerts on them.
func PrometheusRule(ns string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"groups": RuleGroups(ns)}}}
	u.SetAPIVersion(MonitoringGroupVersion)
	u.SetKind("PrometheusRule")
	u.SetNamespace(ns)
	u.SetName(PrometheusRuleName)
	u.SetLabels(map[string]string{PrometheusLabel: "true"})
	return u
}

// alert is one alert: on a component's up count unless expr is set.
type alert struct {
	name, component, summary string
	// expr, for and severity when the alert is not a component's up count.
	expr, forDur, severity string
}

// Series of kube-state-metrics the node and DaemonSet alerts read, as upstream's
// do: without kube-state-metrics they are loaded and evaluated but never fire.
const (
	ksmKVMAllocatable = `kube_node_status_allocatable{resource="devices_kubevirt_io_kvm"}`
	ksmHandlerDS      = `{namespace=%q, daemonset="virt-handler"}`
	// NodesWithKVMRecord counts the nodes offering devices.kubevirt.io/kvm.
	NodesWithKVMRecord = "kubevirt_nodes_with_kvm"
	// AllocatableNodesRecord counts the nodes kube-state-metrics reports the kvm resource for.
	AllocatableNodesRecord = "kubevirt_allocatable_nodes"
)

func alertsFor(ns string) []alert {
	ds := func(metric string) string { return metric + fmt.Sprintf(ksmHandlerDS, ns) }
	return []alert{
		{name: "VirtAPIDown", component: VirtAPI, summary: "No virt-api pod is up: the kubevirt.io APIs and their webhooks are unavailable."},
		{name: "VirtControllerDown", component: VirtController, summary: "No virt-controller pod is up: VMIs are not scheduled, started or cleaned up."},
		{name: "VirtOperatorDown", component: VirtOperator, summary: "No virt-operator pod is up: the install is not reconciled."},
		{name: "VirtHandlerDaemonSetRolloutFailing", summary: "Some virt-handler pods have not been ready for 15 minutes: VMs on their nodes are not managed.",
			expr: "(" + ds("kube_daemonset_status_desired_number_scheduled") + " - " + ds("kube_daemonset_status_number_ready") +
				") != 0 or " + ds("kube_daemonset_status_number_misscheduled") + " > 0",
			forDur: "15m", severity: "warning"},
		{name: "LowKVMNodesCount", summary: "Fewer than two nodes offer devices.kubevirt.io/kvm: a VM cannot be live-migrated.",
			expr:   "(" + AllocatableNodesRecord + " > 1) and (" + NodesWithKVMRecord + " < 2)",
			forDur: "5m", severity: "warning"},
	}
}

// RuleGroups are the PrometheusRule's spec.groups (also what hack/prometheus.sh
// loads as its rule file), for components in namespace ns. A component's up
// count is the number of its scrape targets that are up.
func RuleGroups(ns string) []any {
	var records, alertRules []any
	for _, comp := range []string{VirtAPI, VirtController, VirtHandler, VirtOperator} {
		records = append(records, map[string]any{
			"record": upRecord(comp),
			"expr":   fmt.Sprintf("sum(up{namespace=%q, pod=~%q}) or vector(0)", ns, comp+"-.*"),
		})
	}
	records = append(records,
		map[string]any{"record": NodesWithKVMRecord, "expr": "count(" + ksmKVMAllocatable + " > 0) or vector(0)"},
		map[string]any{"record": AllocatableNodesRecord, "expr": "count(" + ksmKVMAllocatable + ") or vector(0)"})
	for _, a := range alertsFor(ns) {
		expr, forDur, severity := a.expr, a.forDur, a.severity
		if expr == "" {
			expr, forDur, severity = upRecord(a.component)+" == 0", "10m", "critical"
		}
		alertRules = append(alertRules, map[string]any{
			"alert": a.name,
			"expr":  expr,
			"for":   forDur,
			"labels": map[string]any{
				"severity": severity, "operator_health_impact": severity, "kubernetes_operator_part_of": PartOfValue,
			},
			"annotations": map[string]any{
				"summary":     a.summary,
				"runbook_url": RunbookBaseURL + a.name + ".md",
			},
		})
	}
	return []any{
		map[string]any{"name": "kubevirt.rules", "rules": records},
		map[string]any{"name": "kubevirt.alerts", "rules": alertRules},
	}
}

// upRecord is the recording rule counting comp's up targets: kubevirt_virt_api_up, ...
func upRecord(comp string) string {
	n := []byte("kubevirt_" + comp + "_up")
	for i, b := range n {
		if b == '-' {
			n[i] = '_'
		}
	}
	return string(n)
}
