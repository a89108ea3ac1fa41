package release

import (
	"bytes"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// Namespace is where the release installs kvirt.
const Namespace = "kubevirt"

// Image is the placeholder image of a component that make cluster-sync replaces
// with the locally built reference.
func Image(name string) string { return "kvirt.local/" + name + ":devel" }

// OperatorObjects are the objects of kvirt-operator.yaml, in creation order.
func OperatorObjects() ([]any, error) {
	ns := &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: Namespace, Labels: map[string]string{
			"pod-security.kubernetes.io/enforce": "privileged",
		}},
	}
	crd, err := strategy.KubeVirtCRD()
	if err != nil {
		return nil, err
	}
	out := []any{ns, crd}
	for _, o := range rbac.OperatorObjects(Namespace) {
		if err := withKind(o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return append(out, operatorDeployment()), nil
}

// withKind fills in an empty TypeMeta from the client-go scheme, so every
// document of the manifest names its apiVersion and kind.
func withKind(o runtime.Object) error {
	if !o.GetObjectKind().GroupVersionKind().Empty() {
		return nil
	}
	kinds, _, err := scheme.Scheme.ObjectKinds(o)
	if err != nil {
		return fmt.Errorf("kind of %T: %w", o, err)
	}
	o.GetObjectKind().SetGroupVersionKind(kinds[0])
	return nil
}

func operatorDeployment() *appsv1.Deployment {
	labels := map[string]string{strategy.ComponentLabel: "virt-operator"}
	env := []corev1.EnvVar{
		{Name: "VIRT_API_IMAGE", Value: Image(strategy.VirtAPI)},
		{Name: "VIRT_CONTROLLER_IMAGE", Value: Image(strategy.VirtController)},
		{Name: "VIRT_HANDLER_IMAGE", Value: Image(strategy.VirtHandler)},
		{Name: "VIRT_LAUNCHER_IMAGE", Value: Image(strategy.VirtLauncher)},
		{Name: "VIRT_IMPORTER_IMAGE", Value: Image("importer")},
		{Name: "KUBELET_ROOT_DIR", Value: strategy.DefaultKubeletRootDir},
	}
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: "virt-operator", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{
					strategy.ComponentLabel: strategy.VirtOperator, strategy.PrometheusLabel: "true",
				}},
				Spec: corev1.PodSpec{
					ServiceAccountName: "kubevirt-operator",
					Containers: []corev1.Container{{
						Name: "virt-operator", Image: Image("virt-operator"), ImagePullPolicy: corev1.PullIfNotPresent,
						Args:  []string{"--namespace", Namespace},
						Env:   env,
						Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 8090, Protocol: corev1.ProtocolTCP}},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
							Path: "/healthz", Port: intstr.FromInt32(8090), Scheme: corev1.URISchemeHTTP,
						}}, PeriodSeconds: 5},
					}},
				},
			},
		},
	}
	strategy.Restrict(&d.Spec.Template.Spec)
	return d
}

// CR is kvirt-cr.yaml's KubeVirt, written as a map so the empty lists upstream
// ships (featureGates: []) survive.
func CR() map[string]any {
	return map[string]any{
		"apiVersion": "kubevirt.io/v1",
		"kind":       "KubeVirt",
		"metadata":   map[string]any{"name": "kubevirt", "namespace": Namespace},
		"spec": map[string]any{
			"certificateRotateStrategy": map[string]any{},
			"configuration": map[string]any{
				"developerConfiguration": map[string]any{"featureGates": []string{}, "useEmulation": false},
			},
			"customizeComponents":    map[string]any{},
			"imagePullPolicy":        string(corev1.PullIfNotPresent),
			"workloadUpdateStrategy": map[string]any{},
		},
	}
}

// YAML renders objects as one multi-document stream with a header comment.
func YAML(header string, objs ...any) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", header)
	for _, o := range objs {
		out, err := yaml.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("marshal %T: %w", o, err)
		}
		b.WriteString("---\n")
		b.Write(out)
	}
	return b.Bytes(), nil
}
