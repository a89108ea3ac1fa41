package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
)

// userRoles are kubevirt.io:view, :edit and :admin, labelled so Kubernetes'
// aggregation controller folds them into the built-in view, edit and admin
// roles. Each also stands alone for direct binding: edit holds view's rules
// and admin holds edit's, as upstream.
func userRoles() []*rbacv1.ClusterRole {
	view := viewRules()
	edit := append(append([]rbacv1.PolicyRule{}, view...), editRules()...)
	return []*rbacv1.ClusterRole{
		clusterRole(AdminRole, map[string]string{aggregateToAdmin: "true"}, edit),
		clusterRole(EditRole, map[string]string{aggregateToEdit: "true"}, edit),
		clusterRole(ViewRole, map[string]string{aggregateToView: "true"}, view),
	}
}

// viewRules read every kvirt resource and the read-only subresources.
func viewRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupKubevirt, []string{resVM, resVMI, resMigration, resReplicaSet, resPreset, resKubeVirt}, readVerbs...),
		rule(groupInstancetype, []string{resInstancetyp, resPreference, resClusterIT, resClusterPref}, readVerbs...),
		rule(groupSubresources, []string{resVMI + "/guestosinfo"}, "get"),
	}
}

// editRules change workloads and namespaced instancetypes and use the action
// and console subresources virt-api serves.
func editRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupKubevirt, []string{resVM, resVMI, resMigration, resReplicaSet, resPreset}, writeVerbs...),
		rule(groupInstancetype, []string{resInstancetyp, resPreference}, writeVerbs...),
		rule(groupSubresources, []string{resVM + "/start", resVM + "/stop", resVM + "/restart", resVM + "/migrate"}, "update"),
		rule(groupSubresources, []string{resVMI + "/pause", resVMI + "/unpause", resVMI + "/softreboot", resVMI + "/migrate"}, "update"),
		rule(groupSubresources, []string{resVMI + "/console", resVMI + "/vnc"}, "get"),
	}
}
