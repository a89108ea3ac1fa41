package virtoperator

import (
	"errors"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// The monitoring namespace and account the test plays Prometheus with.
const (
	monNS      = "vo-monitoring"
	monAccount = "prometheus-k8s"
)

var (
	serviceMonitors = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "servicemonitors"}
	prometheusRules = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"}
)

// monitoringObjects are the getters of every object installed only for a Prometheus.
func monitoringObjects(c clients) map[string]func() error {
	return map[string]func() error{
		"role": func() error {
			_, err := c.kube.RbacV1().Roles(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{})
			return err
		},
		"rolebinding": func() error {
			_, err := c.kube.RbacV1().RoleBindings(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{})
			return err
		},
		"servicemonitor": func() error {
			_, err := c.dyn.Resource(serviceMonitors).Namespace(monNS).Get(bg, "kubevirt", metav1.GetOptions{})
			return err
		},
		"prometheusrule": func() error {
			_, err := c.dyn.Resource(prometheusRules).Namespace(ns).Get(bg, "prometheus-kubevirt-rules", metav1.GetOptions{})
			return err
		},
	}
}

func monitoringGone(c clients) error {
	var errs []error
	for what, get := range monitoringObjects(c) {
		errs = append(errs, gone(what, get))
	}
	return errors.Join(errs...)
}

func monitoringPresent(c clients) error {
	var errs []error
	for what, get := range monitoringObjects(c) {
		if err := get(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	return errors.Join(errs...)
}

// checkMonitoring: without the monitoring.coreos.com CRDs nothing for a Prometheus
// but the headless metrics Service is installed; with them and the monitoring
// account the Role, RoleBinding, ServiceMonitor and PrometheusRule appear; they
// go when the account named in the spec does not exist.
func checkMonitoring(t *testing.T, c clients) {
	eventually(t, 30*time.Second, "metrics service", func() error {
		s, err := c.kube.CoreV1().Services(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Spec.ClusterIP != corev1.ClusterIPNone || s.Spec.Selector["prometheus.kubevirt.io"] != "true" {
			return fmt.Errorf("service spec %+v", s.Spec)
		}
		return nil
	})
	if _, err := c.kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: monNS}},
		metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace: %v", err)
	}
	if _, err := c.kube.CoreV1().ServiceAccounts(monNS).Create(bg, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: monAccount}},
		metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create service account: %v", err)
	}
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Spec.MonitorNamespace = monNS })
	// The account is there but the API is not: still nothing (the Role would be
	// the first to appear; give the operator a few syncs).
	time.Sleep(3 * time.Second)
	if _, err := c.kube.RbacV1().Roles(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("monitoring role without the monitoring API: %v", err)
	}
	installMonitoringCRDs(t, c)
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Annotations = map[string]string{"test/monitoring": "crds"} })
	eventually(t, 60*time.Second, "monitoring objects installed", func() error { return monitoringPresent(c) })
	rb, err := c.kube.RbacV1().RoleBindings(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{})
	if err != nil || rb.Subjects[0].Namespace != monNS || rb.Subjects[0].Name != monAccount {
		t.Errorf("rolebinding %+v: %v", rb, err)
	}

	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Spec.MonitorAccount = "nobody" })
	eventually(t, 60*time.Second, "monitoring objects removed for a missing account", func() error { return monitoringGone(c) })
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Spec.MonitorAccount = "" })
	eventually(t, 60*time.Second, "monitoring objects back", func() error { return monitoringPresent(c) })
}

// installMonitoringCRDs creates minimal ServiceMonitor and PrometheusRule CRDs
// (any content) and waits until discovery serves them.
func installMonitoringCRDs(t *testing.T, c clients) {
	t.Helper()
	crds := apiextensionsclient.NewForConfigOrDie(cp.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	for _, kind := range []string{"ServiceMonitor", "PrometheusRule"} {
		plural := map[string]string{"ServiceMonitor": "servicemonitors", "PrometheusRule": "prometheusrules"}[kind]
		crd := &apiextensionsv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: plural + ".monitoring.coreos.com"},
			Spec: apiextensionsv1.CustomResourceDefinitionSpec{
				Group: "monitoring.coreos.com", Scope: apiextensionsv1.NamespaceScoped,
				Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural},
				Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
					Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
						Type: "object", XPreserveUnknownFields: ptr.To(true),
					}}}},
			},
		}
		if _, err := crds.Create(bg, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("create crd %s: %v", crd.Name, err)
		}
	}
	eventually(t, 60*time.Second, "monitoring API served", func() error {
		res, err := c.kube.Discovery().ServerResourcesForGroupVersion("monitoring.coreos.com/v1")
		if err != nil {
			return err
		}
		if len(res.APIResources) < 2 {
			return fmt.Errorf("served: %v", res.APIResources)
		}
		return nil
	})
}
