// Package rbac renders the ServiceAccounts and RBAC of kvirt's components. This
// file is a stand-in for the real package (issue 6, part A1) with the agreed API:
// every component is bound to cluster-admin. The real package replaces it.
package rbac

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Objects are the ServiceAccounts and bindings of virt-api, virt-controller and
// virt-handler in namespace.
func Objects(namespace string) []runtime.Object {
	var out []runtime.Object
	for _, sa := range []string{"kubevirt-apiserver", "kubevirt-controller", "kubevirt-handler"} {
		out = append(out, serviceAccount(namespace, sa), adminBinding(namespace, sa, "kubevirt-stub:"+sa))
	}
	return out
}

// OperatorObjects are virt-operator's ServiceAccount, ClusterRole and binding.
func OperatorObjects(namespace string) []runtime.Object {
	role := &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: "kubevirt-operator"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
			{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}},
		},
	}
	b := adminBinding(namespace, "kubevirt-operator", "kubevirt-operator")
	b.RoleRef.Name = role.Name
	return []runtime.Object{serviceAccount(namespace, "kubevirt-operator"), role, b}
}

func serviceAccount(ns, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
	}
}

func adminBinding(ns, sa, name string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: ns, Name: sa}},
	}
}
