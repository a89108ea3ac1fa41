package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kvirt.io/kvirt/pkg/nodecert"
)

// OperatorObjects returns virt-operator's ServiceAccount, ClusterRole, Roles
// and bindings. The operator may manage everything an install consists of
// and holds every permission Objects grants (RBAC forbids granting more than
// one holds), so it needs neither escalate nor bind.
func OperatorObjects(namespace string) []runtime.Object {
	subject := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: OperatorName, Namespace: namespace}
	cluster := operatorClusterRules()
	local := operatorNamespaceRules()
	kubeSystem := []rbacv1.PolicyRule{rule(groupRBAC, []string{"roles", "rolebindings"}, allVerbs...)}
	for _, c := range components(namespace) {
		cluster = append(cluster, c.cluster...)
		for _, r := range c.roles {
			switch r.namespace {
			case namespace:
				local = append(local, r.rules...)
			case AuthConfigMapNamespace:
				kubeSystem = append(kubeSystem, r.rules...)
			}
		}
	}
	for _, r := range userRoles() {
		cluster = append(cluster, r.Rules...)
	}
	return []runtime.Object{
		serviceAccount(namespace, OperatorName),
		clusterRole(OperatorName, nil, cluster),
		clusterRoleBinding(OperatorName, OperatorName, subject),
		role(namespace, OperatorName, local),
		roleBinding(namespace, OperatorName, subject),
		role(AuthConfigMapNamespace, OperatorName, kubeSystem),
		roleBinding(AuthConfigMapNamespace, OperatorName, subject),
	}
}

// operatorClusterRules manage the KubeVirt CR and the cluster-scoped objects
// of an install: its namespace, CRDs, webhook configurations, the APIService, RBAC
// and the common cluster instancetypes and preferences.
func operatorClusterRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupKubevirt, []string{resKubeVirt}, "get", "list", "watch", "update", "patch"),
		rule(groupKubevirt, []string{resKubeVirt + "/status", resKubeVirt + "/finalizers"}, "update", "patch"),
		rule(groupAPIExtensions, []string{"customresourcedefinitions"}, allVerbs...),
		rule(groupAdmission, []string{"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}, allVerbs...),
		// The node restriction (strategy.NodeRestriction).
		rule(groupAdmission, []string{"validatingadmissionpolicies", "validatingadmissionpolicybindings"}, allVerbs...),
		rule(groupAPIRegistry, []string{"apiservices"}, allVerbs...),
		rule(groupRBAC, []string{"clusterroles", "clusterrolebindings"}, allVerbs...),
		// The common instancetypes and preferences (commonInstancetypesDeployment).
		rule(groupInstancetype, []string{"virtualmachineclusterinstancetypes", "virtualmachineclusterpreferences"}, allVerbs...),
		// The ServiceMonitor (in the monitoring namespace) and the PrometheusRule.
		rule(groupMonitoring, []string{"servicemonitors", "prometheusrules"}, allVerbs...),
		// Whether the monitoring account exists decides whether they are installed.
		rule(groupCore, []string{"serviceaccounts"}, "get"),
		// The install applies its namespace (pod security labels); it never deletes it.
		rule(groupCore, []string{"namespaces"}, "get", "list", "watch", "create", "update", "patch"),
		// Signer kubevirt.io/node-api: approve or deny virt-handler's node API
		// serving certificate requests and sign the approved ones.
		rule(groupCertificates, []string{resCSR}, readVerbs...),
		rule(groupCertificates, []string{resCSR + "/approval", resCSR + "/status"}, "update"),
		{APIGroups: []string{groupCertificates}, Resources: []string{"signers"},
			ResourceNames: []string{nodecert.SignerName}, Verbs: []string{"approve", "sign"}},
	}
}

// operatorNamespaceRules manage the namespaced objects of an install (in the
// install namespace only), its own leader Lease and its events.
func operatorNamespaceRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupCore, []string{"serviceaccounts", "services", "secrets", "configmaps"}, allVerbs...),
		rule(groupApps, []string{"deployments", "daemonsets"}, allVerbs...),
		rule(groupRBAC, []string{"roles", "rolebindings"}, allVerbs...),
		rule(groupCoordination, []string{"leases"}, allVerbs...),
		rule(groupCore, []string{"events"}, "create", "patch"),
		rule(groupEvents, []string{"events"}, "create", "patch"),
		rule(groupCore, []string{"pods"}, readVerbs...),
		// The monitoring Role grants these to the Prometheus account.
		rule(groupCore, []string{"endpoints"}, readVerbs...),
	}
}
