package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// userRoles are upstream's user-facing ClusterRoles, rule for rule as far as
// kvirt serves the resources (docs/virt-operator-certs-rbac.md lists what is
// left out and why): kubevirt.io:view, :edit and :admin, labelled so that
// Kubernetes' aggregation controller folds them into the built-in view, edit
// and admin roles (each also stands alone for direct binding);
// kubevirt.io:migrate, aggregated nowhere, for whom a cluster admin trusts
// with live migrations; kubevirt.io:default and instancetype.kubevirt.io:view,
// which every authenticated user holds through the bindings of
// userRoleBindings.
func userRoles() []*rbacv1.ClusterRole {
	def := clusterRole(DefaultRole, map[string]string{bootstrappingLabel: bootstrappingDefaults}, defaultRules())
	def.Annotations = map[string]string{autoupdateAnnotation: "true"}
	return []*rbacv1.ClusterRole{
		def,
		clusterRole(AdminRole, map[string]string{aggregateToAdmin: "true"}, adminRules()),
		clusterRole(EditRole, map[string]string{aggregateToEdit: "true"}, editRules()),
		clusterRole(ViewRole, map[string]string{aggregateToView: "true"}, viewRules()),
		clusterRole(InstancetypeViewRole, nil, []rbacv1.PolicyRule{
			rule(groupInstancetype, []string{resClusterIT, resClusterPref}, readVerbs...),
		}),
		clusterRole(MigrateRole, nil, []rbacv1.PolicyRule{
			rule(groupSubresources, []string{resVM + "/migrate"}, "update"),
			rule(groupKubevirt, []string{resMigration}, adminVerbs...),
		}),
	}
}

// userRoleBindings give every authenticated user kubevirt.io:default and
// instancetype.kubevirt.io:view, as upstream.
func userRoleBindings() []runtime.Object {
	authenticated := rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: authenticatedGroup}
	var out []runtime.Object
	for _, name := range []string{DefaultRole, InstancetypeViewRole} {
		b := clusterRoleBinding(name, name, authenticated)
		b.Annotations = map[string]string{autoupdateAnnotation: "true"}
		out = append(out, b)
	}
	return out
}

// defaultRules: the group's version and the KubeVirt CR, for everyone.
func defaultRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupKubevirt, []string{resKubeVirt}, "get", "list"),
		rule(groupSubresources, []string{"version"}, "get", "list"),
	}
}

// viewRules read the workloads (presets too), every instancetype and preference, the
// KubeVirt CR, guest information and expanded VM specs.
func viewRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupKubevirt, []string{resKubeVirt}, "get", "list"),
		rule(groupSubresources, []string{resVM + "/expand-spec", resVMI + "/guestosinfo", resVMI + "/userlist",
			resVMI + "/filesystemlist"}, "get"),
		rule(groupSubresources, []string{resExpandVMSpec}, "update"),
		rule(groupKubevirt, []string{resVM, resVMI, resReplicaSet, resMigration, resPreset}, readVerbs...),
		rule(groupInstancetype, []string{resInstancetyp, resClusterIT, resPreference, resClusterPref}, readVerbs...),
		dataVolumeUserRule(readVerbs),
	}
}

// dataVolumeUserRule grants verbs on DataVolumes and DataSources, which kvirt
// serves itself where CDI is not installed (CDI's own roles say the same).
func dataVolumeUserRule(verbs []string) rbacv1.PolicyRule {
	return rule(groupCDI, []string{resDataVolume, resDataSource}, verbs...)
}

// editRules change workloads and instancetypes and use the action and
// console subresources; migrations stay read-only (kubevirt.io:migrate), and
// nothing may be deleted by collection.
func editRules() []rbacv1.PolicyRule {
	return append(workloadSubresourceRules(),
		rule(groupKubevirt, []string{resVM, resVMI, resReplicaSet, resPreset}, editVerbs...),
		rule(groupKubevirt, []string{resMigration}, readVerbs...),
		rule(groupInstancetype, []string{resInstancetyp, resClusterIT, resPreference, resClusterPref}, editVerbs...),
		rule(groupKubevirt, []string{resKubeVirt}, "get", "list"),
		dataVolumeUserRule(editVerbs),
	)
}

// adminRules are edit's with deletecollection; as upstream, admin names no
// rule on the KubeVirt CR (the built-in admin gets it from edit).
func adminRules() []rbacv1.PolicyRule {
	return append(workloadSubresourceRules(),
		rule(groupKubevirt, []string{resVM, resVMI, resReplicaSet, resPreset}, adminVerbs...),
		rule(groupKubevirt, []string{resMigration}, readVerbs...),
		rule(groupInstancetype, []string{resInstancetyp, resClusterIT, resPreference, resClusterPref}, adminVerbs...),
		dataVolumeUserRule(adminVerbs),
	)
}

// workloadSubresourceRules are the subresources edit and admin share.
func workloadSubresourceRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupSubresources, []string{resVMI + "/console", resVMI + "/vnc", resVMI + "/vnc/screenshot",
			resVMI + "/guestosinfo", resVMI + "/userlist", resVMI + "/filesystemlist", resVMI + "/portforward"}, "get"),
		rule(groupSubresources, []string{resVMI + "/pause", resVMI + "/unpause", resVMI + "/softreboot", resVMI + "/reset",
			resVMI + "/freeze", resVMI + "/unfreeze"}, "update"),
		rule(groupSubresources, []string{resVM + "/expand-spec", resVM + "/portforward"}, "get"),
		rule(groupSubresources, []string{resVM + "/start", resVM + "/stop", resVM + "/restart"}, "update"),
		rule(groupSubresources, []string{resExpandVMSpec}, "update"),
		// virtctl image-upload: PUT is update, POST is create.
		rule(groupSubresources, []string{"datavolumes/upload"}, "update", "create"),
	}
}
