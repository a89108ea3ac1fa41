package rbac

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Objects returns every RBAC object of the components installed in
// namespace: ServiceAccounts, ClusterRoles, ClusterRoleBindings, Roles and
// RoleBindings for virt-api, virt-controller and virt-handler, and the user
// roles with the bindings that give every authenticated user the default ones.
func Objects(namespace string) []runtime.Object {
	var out []runtime.Object
	for _, c := range components(namespace) {
		out = append(out, c.objects(namespace)...)
	}
	for _, r := range userRoles() {
		out = append(out, r)
	}
	return append(out, userRoleBindings()...)
}

// component is one ServiceAccount and what it may do.
type component struct {
	name    string
	cluster []rbacv1.PolicyRule
	// roles are namespaced grants: namespace -> Role name -> rules.
	roles []namespacedRole
}

type namespacedRole struct {
	namespace, name string
	rules           []rbacv1.PolicyRule
}

func components(namespace string) []component {
	return []component{apiServer(), controller(namespace), handler()}
}

// apiServer is virt-api: subresources (start/stop/restart patch the VM and its
// status, a forced stop or restart shortens the VMI's grace period, migrate
// creates a migration, node-side ones read the VMI and its node, the console
// watches a VMI that does not run yet, expand-spec and expand-vm-spec read the
// VM and the instancetype and preference it names, live or pinned in a
// ControllerRevision), webhooks (read VMIs, and the instancetype a VM names to
// check its template against), the KubeVirt CR and preset informers,
// SubjectAccessReviews for every subresource call, the DataVolume and upload
// pod a datavolumes/upload call streams into, and the
// delegated-authentication ConfigMap in kube-system.
func apiServer() component {
	return component{
		name: APIServerName,
		cluster: []rbacv1.PolicyRule{
			rule(groupKubevirt, []string{resVM}, "get", "patch"),
			rule(groupKubevirt, []string{resVM + "/status"}, "patch"),
			rule(groupKubevirt, []string{resVMI}, "get", "watch", "patch"),
			rule(groupKubevirt, []string{resMigration}, "create"),
			rule(groupKubevirt, []string{resKubeVirt, resPreset}, "list", "watch"),
			// inferFromVolume reads the default-instancetype labels of a new VM's claim.
			rule(groupCore, []string{"persistentvolumeclaims"}, "get"),
			rule(groupInstancetype, []string{resInstancetyp, resClusterIT, resPreference, resClusterPref}, "get"),
			rule(groupApps, []string{"controllerrevisions"}, "get"),
			rule(groupCore, []string{"nodes"}, "get"),
			rule(groupCDI, []string{"datavolumes"}, "get"),
			rule(groupCore, []string{"pods"}, "get"),
			rule(groupAuthorization, []string{"subjectaccessreviews"}, "create"),
		},
		roles: []namespacedRole{{
			namespace: AuthConfigMapNamespace, name: APIServerAuthReaderName,
			rules: []rbacv1.PolicyRule{{APIGroups: []string{groupCore}, Resources: []string{"configmaps"},
				ResourceNames: []string{AuthConfigMapName}, Verbs: []string{"get", "list", "watch"}}},
		}},
	}
}

// controller is virt-controller: informers on VMs, VMIs, migrations,
// replica sets and launcher pods; VMI create/patch/delete; status updates;
// launcher and migration-target pods; VM finalizer and annotations; instancetype
// pinning and VM start revisions in ControllerRevisions; the DataVolumes of VMs' dataVolumeTemplates;
// its leader Lease in the install namespace. The
// finalizers subresources let it set blockOwnerDeletion on the owner
// references it writes (OwnerReferencesPermissionEnforcement).
func controller(namespace string) component {
	return component{
		name: ControllerName,
		cluster: append([]rbacv1.PolicyRule{
			rule(groupKubevirt, []string{resVM}, "get", "list", "watch", "patch"),
			rule(groupKubevirt, []string{resVM + "/status", resMigration + "/status", resReplicaSet + "/status"}, "update"),
			rule(groupKubevirt, []string{resVMI}, "get", "list", "watch", "create", "patch", "delete"),
			rule(groupKubevirt, []string{resMigration}, "get", "list", "watch", "update"),
			rule(groupKubevirt, []string{resReplicaSet}, readVerbs...),
			// Its log level follows the KubeVirt CR's logVerbosity; a migration's
			// configuration, its spec.configuration.migrations (informer).
			rule(groupKubevirt, []string{resKubeVirt}, "list", "watch"),
			// A migration's MigrationPolicy, matched by VMI and namespace labels.
			rule(groupMigrations, []string{resMigrationPolicy}, "get", "list", "watch"),
			rule(groupCore, []string{"namespaces"}, "get", "list", "watch"),
			rule(groupKubevirt, []string{resVM + "/finalizers", resVMI + "/finalizers", resReplicaSet + "/finalizers"}, "update"),
			rule(groupInstancetype, []string{resInstancetyp, resPreference, resClusterIT, resClusterPref}, "get"),
			rule(groupApps, []string{"controllerrevisions"}, "get", "list", "create", "delete"),
			rule(groupCore, []string{"pods"}, "get", "list", "watch", "create", "delete"),
			// The launcher pod mounts a claim as a filesystem or a device by its mode;
			// the VMI's status.volumeStatus describes its claims (informer).
			rule(groupCore, []string{"persistentvolumeclaims"}, "get", "list", "watch"),
			// A VM's dataVolumeTemplates: created, and orphans of their names adopted.
			rule("cdi.kubevirt.io", []string{"datavolumes"}, "get", "list", "watch", "create", "patch"),
			// A pending claim whose class binds on first consumer does not hold the pod back.
			rule("storage.k8s.io", []string{"storageclasses"}, "get"),
			rule(groupCore, []string{"events"}, "create", "patch"),
			// The node-failure controller: virt-handler's heartbeat read, a
			// stale node labelled kubevirt.io/schedulable=false.
			rule(groupCore, []string{"nodes"}, "get", "list", "watch", "patch"),
			// The DataVolume controller's upload pods' TLS Secrets
			// (cdi-upload-<name>-tls-<fingerprint>): only created, never read.
			rule(groupCore, []string{"secrets"}, "create"),
		}, dataVolumeControllerRules()...),
		roles: []namespacedRole{{
			namespace: namespace, name: ControllerName,
			rules: []rbacv1.PolicyRule{rule(groupCoordination, []string{"leases"}, "get", "create", "update")},
		}},
	}
}

// dataVolumeControllerRules are what virt-controller's own DataVolume
// controller needs (docs/datavolumes.md): DataVolumes and DataSources read,
// DataVolume status written, claims and transfer pods created for them (pods
// are in the controller's main rules), blockOwnerDeletion on what they own.
// They are granted whether or not CDI serves the API; virt-controller only
// runs that controller when virt-operator installed the CRDs itself.
func dataVolumeControllerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		rule(groupCDI, []string{resDataVolume, resDataSource}, readVerbs...),
		rule(groupCDI, []string{resDataVolume + "/status", resDataVolume + "/finalizers"}, "update"),
		rule(groupCore, []string{"persistentvolumeclaims"}, "list", "watch", "create"),
		rule("storage.k8s.io", []string{"storageclasses"}, "list", "watch"),
	}
}

// handler is virt-handler: its node's VMIs (informer, status patches), its
// node's launcher pods (where each VMI's sockets are, read only), the KubeVirt
// CR (emulation setting), its own Node's labels and annotations, and the
// CertificateSigningRequest of its node API serving certificate (created, then
// read until signed; virt-operator decides it).
func handler() component {
	return component{
		name: HandlerName,
		cluster: []rbacv1.PolicyRule{
			rule(groupKubevirt, []string{resVMI}, "get", "list", "watch", "patch"),
			rule(groupKubevirt, []string{resKubeVirt}, readVerbs...),
			rule(groupCore, []string{"nodes"}, "get", "patch"),
			rule(groupCore, []string{"pods"}, "get", "list", "watch"),
			rule(groupCertificates, []string{resCSR}, "create", "get", "watch"),
		},
	}
}

// objects renders a component: ServiceAccount, ClusterRole and binding, and
// each Role with its binding.
func (c component) objects(namespace string) []runtime.Object {
	subject := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: c.name, Namespace: namespace}
	out := []runtime.Object{
		serviceAccount(namespace, c.name),
		clusterRole(c.name, nil, c.cluster),
		clusterRoleBinding(c.name, c.name, subject),
	}
	for _, r := range c.roles {
		out = append(out, role(r.namespace, r.name, r.rules), roleBinding(r.namespace, r.name, subject))
	}
	return out
}

func rule(group string, resources []string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: resources, Verbs: verbs}
}

func serviceAccount(namespace, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
	}
}

func clusterRole(name string, labels map[string]string, rules []rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Rules:      rules,
	}
}

func clusterRoleBinding(name, roleName string, subject rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
		Subjects:   []rbacv1.Subject{subject},
	}
}

func role(namespace, name string, rules []rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Rules:      rules,
	}
}

func roleBinding(namespace, name string, subject rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{subject},
	}
}
