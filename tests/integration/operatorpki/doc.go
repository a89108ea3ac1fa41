// Package operatorpki tests what virt-operator installs against a real etcd
// and kube-apiserver (RBAC authorizer, no controller-manager): the RBAC
// objects of pkg/virt-operator/rbac are created by the operator's own account
// and each component's account is checked with SelfSubjectAccessReviews.
package operatorpki
