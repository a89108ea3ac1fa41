package apply

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

func TestResource(t *testing.T) {
	a, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		obj  Object
		want string
	}{
		{&corev1.Secret{}, "/v1, Resource=secrets"},
		{&corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}}, "/v1, Resource=configmaps"},
		{&appsv1.DaemonSet{}, "apps/v1, Resource=daemonsets"},
		{&rbacv1.ClusterRoleBinding{}, "rbac.authorization.k8s.io/v1, Resource=clusterrolebindings"},
		{&admissionregistrationv1.MutatingWebhookConfiguration{},
			"admissionregistration.k8s.io/v1, Resource=mutatingwebhookconfigurations"},
		{&apiextensionsv1.CustomResourceDefinition{}, "apiextensions.k8s.io/v1, Resource=customresourcedefinitions"},
		{&apiregistrationv1.APIService{}, "apiregistration.k8s.io/v1, Resource=apiservices"},
		{&admissionregistrationv1.ValidatingAdmissionPolicy{},
			"admissionregistration.k8s.io/v1, Resource=validatingadmissionpolicies"},
		{&admissionregistrationv1.ValidatingAdmissionPolicyBinding{},
			"admissionregistration.k8s.io/v1, Resource=validatingadmissionpolicybindings"},
	} {
		gvr, _, err := a.Resource(tc.obj)
		if err != nil || gvr.String() != tc.want {
			t.Errorf("%T: %s, %v; want %s", tc.obj, gvr, err, tc.want)
		}
	}
}
