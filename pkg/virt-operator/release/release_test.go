package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

func TestOperatorObjects(t *testing.T) {
	objs, err := OperatorObjects()
	if err != nil {
		t.Fatal(err)
	}
	if crd, ok := objs[1].(*apiextensionsv1.CustomResourceDefinition); !ok || crd.Name != "kubevirts.kubevirt.io" {
		t.Errorf("second object %T, want the KubeVirt CRD", objs[1])
	}
	d, ok := objs[len(objs)-1].(*appsv1.Deployment)
	if !ok {
		t.Fatalf("last object %T, want the operator Deployment", objs[len(objs)-1])
	}
	c := d.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	for name, want := range map[string]string{
		"VIRT_API_IMAGE": "kvirt.local/virt-api:devel", "VIRT_CONTROLLER_IMAGE": "kvirt.local/virt-controller:devel",
		"VIRT_HANDLER_IMAGE": "kvirt.local/virt-handler:devel", "VIRT_LAUNCHER_IMAGE": "kvirt.local/virt-launcher:devel",
		"KUBELET_ROOT_DIR": "/var/lib/kubelet",
	} {
		if env[name] != want {
			t.Errorf("env %s = %q, want %q", name, env[name], want)
		}
	}
	if c.Image != "kvirt.local/virt-operator:devel" || d.Spec.Template.Spec.ServiceAccountName != "kubevirt-operator" {
		t.Errorf("operator container %+v", c)
	}
}

func TestWithKind(t *testing.T) {
	sa := &corev1.ServiceAccount{}
	if err := withKind(sa); err != nil || sa.Kind != "ServiceAccount" || sa.APIVersion != "v1" {
		t.Errorf("withKind: %v %+v", err, sa.TypeMeta)
	}
}

func TestCRKeepsEmptyFeatureGates(t *testing.T) {
	b, err := YAML("header", CR())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"featureGates: []", "useEmulation: false", "namespace: kubevirt", "kind: KubeVirt"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("kvirt-cr.yaml lacks %q:\n%s", want, b)
		}
	}
}

// TestOperatorRestricted: virt-operator's own pod passes Pod Security
// "restricted" and runs as the components' nonroot UID with a read-only root.
func TestOperatorRestricted(t *testing.T) {
	objs, err := OperatorObjects()
	if err != nil {
		t.Fatal(err)
	}
	pod := &objs[len(objs)-1].(*appsv1.Deployment).Spec.Template.Spec
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := policy.AggregateCheckResults(eval.EvaluatePod(
		psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, &metav1.ObjectMeta{}, pod))
	if !res.Allowed {
		t.Errorf("virt-operator is not Pod Security restricted: %s: %s", res.ForbiddenReason(), res.ForbiddenDetail())
	}
	if *pod.SecurityContext.RunAsUser != strategy.ComponentUID || !*pod.Containers[0].SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("virt-operator security context %+v / %+v", pod.SecurityContext, pod.Containers[0].SecurityContext)
	}
}
