package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
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
