package strategy

import (
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	virtv1 "kvirt.io/api/core/v1"
)

func TestMonitoringTargetDefaults(t *testing.T) {
	if got := MonitoringTargetOf(kubevirt(nil)); got != (MonitoringTarget{"openshift-monitoring", "prometheus-k8s", "openshift-monitoring"}) {
		t.Errorf("defaults %+v", got)
	}
	got := MonitoringTargetOf(kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.MonitorNamespace, kv.Spec.MonitorAccount = "mon", "prom" }))
	if got != (MonitoringTarget{"mon", "prom", "mon"}) {
		t.Errorf("set %+v", got)
	}
	got = MonitoringTargetOf(kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.ServiceMonitorNamespace = "sm" }))
	if got.ServiceMonitorNamespace != "sm" || got.Namespace != "openshift-monitoring" {
		t.Errorf("serviceMonitorNamespace %+v", got)
	}
}

func TestMonitoringObjects(t *testing.T) {
	kv := kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.MonitorNamespace, kv.Spec.ServiceMonitorNamespace = "mon", "sm" })
	kinds := map[string]Object{}
	for _, o := range Monitoring(kv, "kubevirt") {
		kinds[o.GetObjectKind().GroupVersionKind().Kind] = o
		if o.GetLabels()[InstallLabel] != "uid-1" || o.GetLabels()[ManagedByLabel] != ManagedByValue {
			t.Errorf("%s labels %v", o.GetName(), o.GetLabels())
		}
	}
	rb, ok := kinds["RoleBinding"].(*rbacv1.RoleBinding)
	if !ok || rb.Namespace != "kubevirt" || rb.Subjects[0].Name != "prometheus-k8s" || rb.Subjects[0].Namespace != "mon" {
		t.Errorf("rolebinding %+v", kinds["RoleBinding"])
	}
	sm, ok := kinds["ServiceMonitor"].(*unstructured.Unstructured)
	if !ok || sm.GetNamespace() != "sm" || sm.GetAPIVersion() != "monitoring.coreos.com/v1" {
		t.Errorf("servicemonitor %+v", kinds["ServiceMonitor"])
	}
	pr, ok := kinds["PrometheusRule"].(*unstructured.Unstructured)
	if !ok || pr.GetNamespace() != "kubevirt" || pr.GetName() != PrometheusRuleName {
		t.Fatalf("prometheusrule %+v", kinds["PrometheusRule"])
	}
	if _, ok := kinds["Role"]; !ok {
		t.Error("no Role")
	}
}

// Every alert names a runbook that exists, and the recording rules it uses exist.
func TestRuleGroups(t *testing.T) {
	records, alertNames := map[string]bool{}, 0
	for _, g := range RuleGroups("kubevirt") {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			r := r.(map[string]any)
			if rec, ok := r["record"].(string); ok {
				records[rec] = true
				continue
			}
			alertNames++
			url := r["annotations"].(map[string]any)["runbook_url"].(string)
			if _, err := os.Stat(filepath.Join("..", "..", "..", url)); err != nil {
				t.Errorf("alert %s: runbook: %v", r["alert"], err)
			}
		}
	}
	for _, rec := range []string{"kubevirt_virt_api_up", "kubevirt_virt_controller_up", "kubevirt_virt_handler_up", "kubevirt_virt_operator_up",
		NodesWithKVMRecord, AllocatableNodesRecord} {
		if !records[rec] {
			t.Errorf("no recording rule %s (have %v)", rec, records)
		}
	}
	if alertNames != len(alertsFor("kubevirt")) {
		t.Errorf("%d alerts, want %d", alertNames, len(alertsFor("kubevirt")))
	}
}

func TestComponentPodsCarryPrometheusLabel(t *testing.T) {
	for _, o := range Components(kubevirt(nil), testCfg) {
		var l map[string]string
		switch o := o.(type) {
		case *appsv1.Deployment:
			l = o.Spec.Template.Labels
		case *appsv1.DaemonSet:
			l = o.Spec.Template.Labels
		}
		if l[PrometheusLabel] != "true" {
			t.Errorf("%s pod labels %v", o.GetName(), l)
		}
	}
}
