package rbac

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

const ns = "kubevirt"

// index holds the objects of a list by kind and namespace/name.
type index struct {
	accounts, roles, clusterRoles map[string]bool
	roleBindings                  []*rbacv1.RoleBinding
	clusterBindings               []*rbacv1.ClusterRoleBinding
	clusterRoleObjs               map[string]*rbacv1.ClusterRole
}

func indexObjects(t *testing.T, objs []runtime.Object) index {
	t.Helper()
	ix := index{accounts: map[string]bool{}, roles: map[string]bool{}, clusterRoles: map[string]bool{},
		clusterRoleObjs: map[string]*rbacv1.ClusterRole{}}
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.ServiceAccount:
			ix.accounts[v.Namespace+"/"+v.Name] = true
		case *rbacv1.Role:
			ix.roles[v.Namespace+"/"+v.Name] = true
			checkRules(t, "role "+v.Name, v.Rules)
		case *rbacv1.ClusterRole:
			ix.clusterRoles[v.Name] = true
			ix.clusterRoleObjs[v.Name] = v
			checkRules(t, "clusterrole "+v.Name, v.Rules)
		case *rbacv1.RoleBinding:
			ix.roleBindings = append(ix.roleBindings, v)
		case *rbacv1.ClusterRoleBinding:
			ix.clusterBindings = append(ix.clusterBindings, v)
		default:
			t.Errorf("unexpected object %T", o)
		}
		if o.GetObjectKind().GroupVersionKind().Kind == "" {
			t.Errorf("%T has no kind set", o)
		}
	}
	return ix
}

// checkRules: no wildcards, every rule names a group, resources and verbs.
func checkRules(t *testing.T, what string, rules []rbacv1.PolicyRule) {
	t.Helper()
	if len(rules) == 0 {
		t.Errorf("%s has no rules", what)
	}
	for _, r := range rules {
		if len(r.APIGroups) == 0 || len(r.Resources) == 0 || len(r.Verbs) == 0 ||
			slices.Contains(r.Verbs, "*") || slices.Contains(r.Resources, "*") || slices.Contains(r.APIGroups, "*") {
			t.Errorf("%s: rule %+v is empty or uses a wildcard", what, r)
		}
		for _, v := range []string{"escalate", "bind", "impersonate"} {
			if slices.Contains(r.Verbs, v) {
				t.Errorf("%s: rule %+v grants %s", what, r, v)
			}
		}
	}
}

func TestObjectsBindExistingRolesToExistingAccounts(t *testing.T) {
	for name, objs := range map[string][]runtime.Object{"components": Objects(ns), "operator": OperatorObjects(ns)} {
		t.Run(name, func(t *testing.T) {
			ix := indexObjects(t, objs)
			for _, b := range ix.clusterBindings {
				if !ix.clusterRoles[b.RoleRef.Name] || b.RoleRef.Kind != "ClusterRole" {
					t.Errorf("clusterrolebinding %s refers to missing %s %s", b.Name, b.RoleRef.Kind, b.RoleRef.Name)
				}
				checkSubjects(t, ix, b.Name, b.Subjects)
			}
			for _, b := range ix.roleBindings {
				if !ix.roles[b.Namespace+"/"+b.RoleRef.Name] || b.RoleRef.Kind != "Role" {
					t.Errorf("rolebinding %s/%s refers to missing %s %s", b.Namespace, b.Name, b.RoleRef.Kind, b.RoleRef.Name)
				}
				checkSubjects(t, ix, b.Namespace+"/"+b.Name, b.Subjects)
			}
		})
	}
}

// checkSubjects: bindings name accounts the list creates, except the two that
// give every authenticated user the default roles.
func checkSubjects(t *testing.T, ix index, binding string, subjects []rbacv1.Subject) {
	t.Helper()
	for _, s := range subjects {
		if (binding == DefaultRole || binding == InstancetypeViewRole) && s.Kind == rbacv1.GroupKind && s.Name == "system:authenticated" {
			continue
		}
		if s.Kind != rbacv1.ServiceAccountKind || !ix.accounts[s.Namespace+"/"+s.Name] {
			t.Errorf("binding %s names subject %+v that the list does not create", binding, s)
		}
	}
}

func TestComponentAccounts(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	for _, sa := range []string{APIServerName, ControllerName, HandlerName} {
		if !ix.accounts[ns+"/"+sa] {
			t.Errorf("service account %s missing", sa)
		}
	}
	if ix.accounts[ns+"/"+OperatorName] {
		t.Error("Objects must not include the operator's own account")
	}
	if !ix.roles[AuthConfigMapNamespace+"/"+APIServerAuthReaderName] {
		t.Error("virt-api cannot read the delegated authentication ConfigMap")
	}
}

func TestUserRoleLabels(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	for role, label := range map[string]string{
		AdminRole: aggregateToAdmin, EditRole: aggregateToEdit, ViewRole: aggregateToView,
		MigrateRole: "", InstancetypeViewRole: "", DefaultRole: "",
	} {
		r := ix.clusterRoleObjs[role]
		if r == nil {
			t.Fatalf("%s missing", role)
		}
		for k := range r.Labels {
			if k != label && k != bootstrappingLabel {
				t.Errorf("%s has label %s: aggregated where upstream does not aggregate it", role, k)
			}
		}
		if label != "" && r.Labels[label] != "true" {
			t.Errorf("%s lacks label %s", role, label)
		}
	}
	if ix.clusterRoleObjs[DefaultRole].Labels[bootstrappingLabel] != bootstrappingDefaults {
		t.Errorf("%s is not marked as a default role", DefaultRole)
	}
}

func TestDefaultRolesBoundToAuthenticated(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	bound := map[string]bool{}
	for _, b := range ix.clusterBindings {
		for _, s := range b.Subjects {
			if s.Kind == rbacv1.GroupKind && s.Name == "system:authenticated" {
				bound[b.RoleRef.Name] = true
			}
		}
	}
	want := map[string]bool{DefaultRole: true, InstancetypeViewRole: true}
	if len(bound) != len(want) || !bound[DefaultRole] || !bound[InstancetypeViewRole] {
		t.Errorf("roles bound to system:authenticated: %v, want %v", bound, want)
	}
}

// TestAPIServerWatchesPresets: virt-api's preset informer lists and watches
// presets in every namespace.
func TestAPIServerWatchesPresets(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	r := ix.clusterRoleObjs[APIServerName]
	if r == nil {
		t.Fatalf("%s cluster role missing", APIServerName)
	}
	for _, verb := range []string{"list", "watch"} {
		if !grants(r.Rules, groupKubevirt, resPreset, verb) {
			t.Errorf("virt-api may not %s presets", verb)
		}
	}
}

// grants is a literal check for rules without wildcards or resource names.
func grants(rules []rbacv1.PolicyRule, group, resource, verb string) bool {
	for _, r := range rules {
		if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) && slices.Contains(r.Verbs, verb) {
			return true
		}
	}
	return false
}

// userRoleCase is one request and whether a role allows it.
type userRoleCase struct {
	group, resource, verb string
	allowed               bool
}

// TestUserRoleRules holds each user role to upstream's rules (as far as kvirt
// serves the resources): one row per rule, plus what each must not grant.
func TestUserRoleRules(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	sub := func(resource, verb string, allowed bool) userRoleCase {
		return userRoleCase{groupSubresources, resource, verb, allowed}
	}
	kv := func(resource, verb string, allowed bool) userRoleCase {
		return userRoleCase{groupKubevirt, resource, verb, allowed}
	}
	it := func(resource, verb string, allowed bool) userRoleCase {
		return userRoleCase{groupInstancetype, resource, verb, allowed}
	}
	workloadSubresources := []userRoleCase{
		sub(resVMI+"/console", "get", true), sub(resVMI+"/vnc", "get", true), sub(resVMI+"/vnc/screenshot", "get", true),
		sub(resVMI+"/guestosinfo", "get", true), sub(resVMI+"/portforward", "get", true), sub(resVM+"/portforward", "get", true),
		sub(resVMI+"/pause", "update", true), sub(resVMI+"/unpause", "update", true), sub(resVMI+"/softreboot", "update", true),
		sub(resVMI+"/reset", "update", true),
		sub(resVM+"/start", "update", true), sub(resVM+"/stop", "update", true), sub(resVM+"/restart", "update", true),
		sub(resVM+"/expand-spec", "get", true), sub(resExpandVMSpec, "update", true),
		sub(resVM+"/migrate", "update", false), sub(resVMI+"/migrate", "update", false),
		kv(resMigration, "get", true), kv(resMigration, "create", false), kv(resMigration, "delete", false),
	}
	cases := map[string][]userRoleCase{
		ViewRole: {
			kv(resVM, "watch", true), kv(resVMI, "list", true), kv(resReplicaSet, "get", true), kv(resMigration, "watch", true),
			kv(resKubeVirt, "list", true), kv(resKubeVirt, "watch", false),
			it(resClusterPref, "list", true), it(resInstancetyp, "watch", true),
			sub(resVM+"/expand-spec", "get", true), sub(resExpandVMSpec, "update", true), sub(resVMI+"/guestosinfo", "get", true),
			sub(resVM+"/start", "update", false), sub(resVMI+"/console", "get", false),
			sub(resVMI+"/vnc", "get", false), sub(resVMI+"/vnc/screenshot", "get", false),
			sub(resVMI+"/portforward", "get", false), sub(resVM+"/portforward", "get", false),
			kv(resVM, "create", false), kv(resVMI, "delete", false), it(resPreference, "create", false),
			kv(resPreset, "list", true), kv(resPreset, "create", false),
		},
		EditRole: slices.Concat(workloadSubresources, []userRoleCase{
			kv(resVM, "create", true), kv(resVMI, "patch", true), kv(resReplicaSet, "delete", true),
			it(resInstancetyp, "create", true), it(resClusterIT, "update", true), kv(resKubeVirt, "get", true),
			kv(resVM, "deletecollection", false), kv(resVMI, "deletecollection", false), kv(resReplicaSet, "deletecollection", false),
			it(resInstancetyp, "deletecollection", false), it(resPreference, "deletecollection", false),
			kv(resKubeVirt, "update", false),
			kv(resPreset, "create", true), kv(resPreset, "deletecollection", false),
		}),
		AdminRole: slices.Concat(workloadSubresources, []userRoleCase{
			kv(resVM, "deletecollection", true), kv(resVMI, "deletecollection", true), kv(resReplicaSet, "deletecollection", true),
			it(resInstancetyp, "deletecollection", true), it(resClusterPref, "deletecollection", true),
			kv(resMigration, "deletecollection", false), kv(resKubeVirt, "get", false),
			kv(resPreset, "deletecollection", true),
		}),
		MigrateRole: {
			sub(resVM+"/migrate", "update", true), kv(resMigration, "create", true), kv(resMigration, "deletecollection", true),
			sub(resVMI+"/migrate", "update", false), kv(resVM, "get", false),
		},
		DefaultRole: {
			sub("version", "get", true), sub("version", "list", true), kv(resKubeVirt, "get", true),
			sub("guestfs", "get", false), kv(resVM, "get", false),
		},
		InstancetypeViewRole: {
			it(resClusterIT, "get", true), it(resClusterPref, "watch", true),
			it(resInstancetyp, "get", false), it(resClusterIT, "create", false),
		},
	}
	for role, rows := range cases {
		r := ix.clusterRoleObjs[role]
		if r == nil {
			t.Fatalf("%s missing", role)
		}
		for _, c := range rows {
			if got := grants(r.Rules, c.group, c.resource, c.verb); got != c.allowed {
				t.Errorf("%s: %s %s.%s allowed %v, want %v", role, c.verb, c.resource, c.group, got, c.allowed)
			}
		}
	}
}
