package operatorpki

import (
	"context"
	"fmt"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"kvirt.io/kvirt/pkg/nodecert"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/tests/framework/poll"
)

const installNS = "kubevirt"

const (
	core     = ""
	kv       = "kubevirt.io"
	it       = "instancetype.kubevirt.io"
	subres   = "subresources.kubevirt.io"
	apps     = "apps"
	coord    = "coordination.k8s.io"
	authz    = "authorization.k8s.io"
	rbacG    = "rbac.authorization.k8s.io"
	certG    = "certificates.k8s.io"
	csrs     = "certificatesigningrequests"
	userNS   = "tenant"
	vms      = "virtualmachines"
	vmis     = "virtualmachineinstances"
	allow    = true
	deny     = false
	anywhere = ""
)

// TestRBAC installs the operator's RBAC as the admin, then every component's
// RBAC as the operator (which proves it holds all it grants without escalate
// or bind), and checks what each account may and may not do.
func TestRBAC(t *testing.T) {
	ctx := testContext(t)
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	for _, ns := range []string{installNS, userNS, "kube-system"} {
		ensureNamespace(ctx, t, admin, ns)
	}
	if err := create(ctx, admin, rbac.OperatorObjects(installNS)); err != nil {
		t.Fatal(err)
	}
	operator := serviceAccountUser(installNS, rbac.OperatorName)
	checkAccess(ctx, t, operator, []access{
		{"create", rbacG, "clusterroles", "", anywhere, "", allow},
		{"create", apps, "daemonsets", "", installNS, "", allow},
		{"update", core, "secrets", "", installNS, "kubevirt-ca", allow},
		{"get", core, "secrets", "", userNS, "", deny},
		{"escalate", rbacG, "clusterroles", "", anywhere, "", deny},
		{"bind", rbacG, "clusterroles", "", anywhere, "", deny},
		{"update", certG, csrs, "approval", anywhere, "", allow},
		{"update", certG, csrs, "status", anywhere, "", allow},
		{"approve", certG, "signers", "", anywhere, nodecert.SignerName, allow},
		{"sign", certG, "signers", "", anywhere, nodecert.SignerName, allow},
		{"approve", certG, "signers", "", anywhere, "kubernetes.io/kube-apiserver-client", deny},
		{"sign", certG, "signers", "", anywhere, "kubernetes.io/kubelet-serving", deny},
	})
	asOperator := as(t, operator)
	poll.Eventually(t, apiTimeout, "operator creates the components' RBAC", func() error {
		return create(ctx, asOperator, rbac.Objects(installNS))
	})

	for user, rows := range componentTables() {
		t.Run(user, func(t *testing.T) { checkAccess(ctx, t, serviceAccountUser(installNS, user), rows) })
	}
}

// componentTables lists, per component account, what its code does (allowed)
// and a few things it must not do (denied).
func componentTables() map[string][]access {
	return map[string][]access{
		rbac.APIServerName: {
			{"get", kv, vms, "", userNS, "", allow},
			{"patch", kv, vms, "", userNS, "", allow},
			{"patch", kv, vms, "status", userNS, "", allow},
			{"patch", kv, vmis, "", userNS, "", allow},
			{"delete", kv, vmis, "", userNS, "", deny},
			{"create", kv, "virtualmachineinstancemigrations", "", userNS, "", allow},
			{"watch", kv, "kubevirts", "", anywhere, "", allow},
			{"get", it, "virtualmachineinstancetypes", "", userNS, "u1", allow},
			{"get", it, "virtualmachineclusterinstancetypes", "", anywhere, "u1", allow},
			{"get", it, "virtualmachinepreferences", "", userNS, "p1", allow},
			{"get", it, "virtualmachineclusterpreferences", "", anywhere, "p1", allow},
			{"get", apps, "controllerrevisions", "", userNS, "vm1-u1", allow},
			{"create", apps, "controllerrevisions", "", userNS, "", deny},
			{"create", it, "virtualmachineclusterinstancetypes", "", anywhere, "", deny},
			{"get", core, "nodes", "", anywhere, "n1", allow},
			{"create", authz, "subjectaccessreviews", "", anywhere, "", allow},
			{"get", core, "configmaps", "", "kube-system", "extension-apiserver-authentication", allow},
			{"get", core, "configmaps", "", "kube-system", "other", deny},
			{"get", core, "secrets", "", installNS, "", deny},
			{"update", kv, vms, "", userNS, "", deny},
			{"create", core, "pods", "", userNS, "", deny},
			{"patch", core, "nodes", "", anywhere, "n1", deny},
		},
		rbac.ControllerName: {
			{"create", core, "pods", "", userNS, "", allow},
			{"delete", core, "pods", "", userNS, "", allow},
			{"watch", core, "pods", "", anywhere, "", allow},
			{"create", kv, vmis, "", userNS, "", allow},
			{"patch", kv, vmis, "", userNS, "", allow},
			{"update", kv, vms, "status", userNS, "", allow},
			{"update", kv, "virtualmachineinstancemigrations", "status", userNS, "", allow},
			{"update", kv, "virtualmachineinstancereplicasets", "status", userNS, "", allow},
			{"get", it, "virtualmachineclusterinstancetypes", "", anywhere, "u1", allow},
			{"create", apps, "controllerrevisions", "", userNS, "", allow},
			{"list", apps, "controllerrevisions", "", userNS, "", allow},
			{"delete", apps, "controllerrevisions", "", userNS, "", allow},
			{"patch", kv, vms, "", userNS, "", allow},
			{"update", coord, "leases", "", installNS, "virt-controller", allow},
			{"update", coord, "leases", "", userNS, "virt-controller", deny},
			{"create", kv, vms, "", userNS, "", deny},
			{"update", kv, vms, "", userNS, "", deny},
			{"get", core, "secrets", "", userNS, "", deny},
			// The node-failure controller labels a node whose handler went quiet;
			// it never writes node status nor deletes nodes.
			{"watch", core, "nodes", "", anywhere, "", allow},
			{"patch", core, "nodes", "", anywhere, "n1", allow},
			{"patch", core, "nodes", "status", anywhere, "n1", deny},
			{"delete", core, "nodes", "", anywhere, "n1", deny},
		},
		rbac.HandlerName: {
			{"watch", kv, vmis, "", anywhere, "", allow},
			{"patch", kv, vmis, "", userNS, "", allow},
			{"list", kv, "kubevirts", "", anywhere, "", allow},
			{"patch", core, "nodes", "", anywhere, "n1", allow},
			{"create", kv, vmis, "", userNS, "", deny},
			{"delete", kv, vmis, "", userNS, "", deny},
			{"create", core, "pods", "", userNS, "", deny},
			{"watch", core, "pods", "", anywhere, "", allow},
			{"delete", core, "pods", "", userNS, "", deny},
			{"patch", core, "pods", "", userNS, "", deny},
			{"get", core, "secrets", "", installNS, "", deny},
			{"patch", core, "nodes", "status", anywhere, "n1", deny},
			{"create", certG, csrs, "", anywhere, "", allow},
			{"watch", certG, csrs, "", anywhere, "", allow},
			{"update", certG, csrs, "approval", anywhere, "", deny},
			{"approve", certG, "signers", "", anywhere, nodecert.SignerName, deny},
		},
	}
}

// TestUserRolesAggregate binds users to the built-in admin, edit and view
// roles and to kubevirt.io:migrate in a namespace, and checks what every
// authenticated user may do through kubevirt.io:default and
// instancetype.kubevirt.io:view. The test apiserver runs no
// controller-manager, so the clusterrole aggregation controller is simulated:
// each built-in aggregated role gets the rules of every ClusterRole its
// aggregationRule selects. That exercises our labels against the real
// selectors; the rules are then evaluated by the real RBAC authorizer.
func TestUserRolesAggregate(t *testing.T) {
	ctx := testContext(t)
	admin := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	ensureNamespace(ctx, t, admin, userNS)
	ensureNamespace(ctx, t, admin, "elsewhere")
	createUserRoles(ctx, t, admin)
	for _, name := range []string{"view", "edit", "admin"} { // the order the controller converges in
		if err := aggregate(ctx, admin, name); err != nil {
			t.Fatal(err)
		}
	}
	for user, role := range map[string]string{"alice": "admin", "carol": "edit", "bob": "view", "mallory": rbac.MigrateRole} {
		b := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user, Namespace: userNS},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
		}
		if _, err := admin.RbacV1().RoleBindings(userNS).Create(ctx, b, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for user, rows := range userRoleTables() {
		t.Run(user, func(t *testing.T) { checkAccess(ctx, t, user, rows) })
	}
}

// createUserRoles creates the user ClusterRoles and their bindings (names
// with a colon) from rbac.Objects; TestRBAC may have created them already.
func createUserRoles(ctx context.Context, t *testing.T, admin kubernetes.Interface) {
	t.Helper()
	var objs []runtime.Object
	for _, o := range rbac.Objects(installNS) {
		switch v := o.(type) {
		case *rbacv1.ClusterRole:
			if strings.Contains(v.Name, ":") {
				objs = append(objs, v)
			}
		case *rbacv1.ClusterRoleBinding:
			if strings.Contains(v.Name, ":") {
				objs = append(objs, v)
			}
		}
	}
	if err := create(ctx, admin, objs); err != nil {
		t.Fatal(err)
	}
}

// userRoleTables: per user, what the role bound to them (see
// TestUserRolesAggregate) allows and, as upstream, denies. zed holds no
// binding of their own: only what every authenticated user holds.
func userRoleTables() map[string][]access {
	const (
		vmims = "virtualmachineinstancemigrations"
		vmrs  = "virtualmachineinstancereplicasets"
	)
	return map[string][]access{
		"alice": { // admin
			{"update", subres, vms, "start", userNS, "vm1", allow},
			{"get", subres, vmis, "console", userNS, "vm1", allow},
			{"get", subres, vms, "expand-spec", userNS, "vm1", allow},
			{"update", subres, "expand-vm-spec", "", userNS, "", allow},
			{"create", kv, vms, "", userNS, "", allow},
			{"deletecollection", kv, vms, "", userNS, "", allow},
			{"deletecollection", kv, vmis, "", userNS, "", allow},
			{"create", it, "virtualmachineinstancetypes", "", userNS, "", allow},
			{"deletecollection", it, "virtualmachinepreferences", "", userNS, "", allow},
			{"get", kv, vmims, "", userNS, "m1", allow},
			{"create", kv, vmims, "", userNS, "", deny},
			{"update", subres, vms, "migrate", userNS, "vm1", deny},
			{"update", subres, vmis, "migrate", userNS, "vm1", deny},
			{"update", subres, vms, "start", "elsewhere", "vm1", deny},
		},
		"carol": { // edit
			{"update", subres, vms, "restart", userNS, "vm1", allow},
			{"update", subres, vmis, "pause", userNS, "vm1", allow},
			{"update", subres, vmis, "reset", userNS, "vm1", allow},
			{"update", subres, vmis, "freeze", userNS, "vm1", allow},
			{"update", subres, vmis, "unfreeze", userNS, "vm1", allow},
			{"get", subres, vmis, "filesystemlist", userNS, "vm1", allow},
			{"update", subres, "expand-vm-spec", "", userNS, "", allow},
			{"delete", kv, vms, "", userNS, "vm1", allow},
			{"create", it, "virtualmachinepreferences", "", userNS, "", allow},
			{"deletecollection", kv, vms, "", userNS, "", deny},
			{"deletecollection", kv, vmis, "", userNS, "", deny},
			{"deletecollection", kv, vmrs, "", userNS, "", deny},
			{"deletecollection", it, "virtualmachineinstancetypes", "", userNS, "", deny},
			{"deletecollection", it, "virtualmachinepreferences", "", userNS, "", deny},
			{"create", kv, vmims, "", userNS, "", deny},
			{"delete", kv, vmims, "", userNS, "m1", deny},
			{"update", subres, vms, "migrate", userNS, "vm1", deny},
			{"update", subres, vmis, "migrate", userNS, "vm1", deny},
		},
		"bob": { // view
			{"get", subres, vmis, "guestosinfo", userNS, "vm1", allow},
			{"get", subres, vmis, "userlist", userNS, "vm1", allow},
			{"get", subres, vmis, "filesystemlist", userNS, "vm1", allow},
			{"update", subres, vmis, "freeze", userNS, "vm1", deny},
			{"get", subres, vms, "expand-spec", userNS, "vm1", allow},
			{"update", subres, "expand-vm-spec", "", userNS, "", allow},
			{"list", kv, vmis, "", userNS, "", allow},
			{"watch", kv, vmims, "", userNS, "", allow},
			{"update", subres, vms, "start", userNS, "vm1", deny},
			{"update", subres, vmis, "reset", userNS, "vm1", deny},
			{"get", subres, vmis, "console", userNS, "vm1", deny},
			{"delete", kv, vms, "", userNS, "", deny},
		},
		"mallory": { // kubevirt.io:migrate
			{"update", subres, vms, "migrate", userNS, "vm1", allow},
			{"create", kv, vmims, "", userNS, "", allow},
			{"deletecollection", kv, vmims, "", userNS, "", allow},
			{"update", subres, vmis, "migrate", userNS, "vm1", deny},
			{"create", kv, vmims, "", "elsewhere", "", deny},
			{"get", kv, vms, "", userNS, "vm1", deny},
		},
		"zed": { // every authenticated user
			{"get", subres, "version", "", anywhere, "", allow},
			{"list", subres, "version", "", anywhere, "", allow},
			{"get", kv, "kubevirts", "", installNS, "kubevirt", allow},
			{"list", it, "virtualmachineclusterinstancetypes", "", anywhere, "", allow},
			{"get", it, "virtualmachineclusterpreferences", "", anywhere, "p1", allow},
			{"get", subres, "guestfs", "", anywhere, "", deny},
			{"list", it, "virtualmachineinstancetypes", "", userNS, "", deny},
			{"create", it, "virtualmachineclusterinstancetypes", "", anywhere, "", deny},
			{"get", kv, vms, "", userNS, "vm1", deny},
		},
	}
}

// aggregate does what the clusterrole aggregation controller does for one role.
func aggregate(ctx context.Context, kube kubernetes.Interface, name string) error {
	role, err := kube.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get %s: %w", name, err)
	}
	if role.AggregationRule == nil {
		return fmt.Errorf("built-in role %s has no aggregation rule", name)
	}
	rules := role.Rules
	for _, sel := range role.AggregationRule.ClusterRoleSelectors {
		s, err := metav1.LabelSelectorAsSelector(&sel)
		if err != nil {
			return fmt.Errorf("selector of %s: %w", name, err)
		}
		list, err := kube.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: s.String()})
		if err != nil {
			return fmt.Errorf("list roles for %s: %w", name, err)
		}
		for _, r := range list.Items {
			if r.Name != name {
				rules = append(rules, r.Rules...)
			}
		}
	}
	role.Rules = rules
	if _, err := kube.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}
