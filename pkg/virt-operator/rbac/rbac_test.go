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

func checkSubjects(t *testing.T, ix index, binding string, subjects []rbacv1.Subject) {
	t.Helper()
	for _, s := range subjects {
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

func TestUserRolesAggregate(t *testing.T) {
	ix := indexObjects(t, Objects(ns))
	cases := []struct {
		role, label string
		mayStart    bool
	}{
		{AdminRole, aggregateToAdmin, true},
		{EditRole, aggregateToEdit, true},
		{ViewRole, aggregateToView, false},
	}
	for _, tc := range cases {
		r := ix.clusterRoleObjs[tc.role]
		if r == nil {
			t.Fatalf("%s missing", tc.role)
		}
		if r.Labels[tc.label] != "true" {
			t.Errorf("%s lacks label %s", tc.role, tc.label)
		}
		if got := grants(r.Rules, groupSubresources, resVM+"/start", "update"); got != tc.mayStart {
			t.Errorf("%s grants virtualmachines/start: %v, want %v", tc.role, got, tc.mayStart)
		}
		if !grants(r.Rules, groupKubevirt, resVMI, "watch") || !grants(r.Rules, groupSubresources, resVMI+"/guestosinfo", "get") {
			t.Errorf("%s cannot read VMIs and guest info", tc.role)
		}
		if !grants(r.Rules, groupKubevirt, resPreset, "list") || grants(r.Rules, groupKubevirt, resPreset, "create") != tc.mayStart {
			t.Errorf("%s: presets readable %v, writable %v", tc.role, grants(r.Rules, groupKubevirt, resPreset, "list"),
				grants(r.Rules, groupKubevirt, resPreset, "create"))
		}
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
