package virtapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// identityTimeout bounds each wait for the apiserver's caches (RBAC, webhook
// configurations) to reflect what the test just created.
const identityTimeout = 90 * time.Second

// testComponentNamesAreTenants: a namespace admin who creates a ServiceAccount
// named like a kvirt component in their own namespace and acts with it is a
// tenant: its VMI status edit is reverted, reserved labels and the spec are
// refused. Every wait is on the apiserver's own answer (SubjectAccessReview,
// a probe the webhooks must revert), never on a cache's timing.
func testComponentNamesAreTenants(t *testing.T, e env) {
	for _, name := range []string{"virt-handler", "kubevirt-handler", "kubevirt-controller"} {
		t.Run(name, func(t *testing.T) { testForgedComponent(t, e, name) })
	}
}

func testForgedComponent(t *testing.T, e env, saName string) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	vmi, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx,
		&virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "victim"}, Spec: minimalSpec()}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create VMI: %v", err)
	}
	setRunning(t, e, vmi)
	waitStatusEditsReverted(t, e, ns, "victim")
	forged := forgedComponentClient(t, e, ns, saName)
	vmis := forged.KubevirtV1().VirtualMachineInstances(ns)

	out, err := vmis.Patch(ctx, "victim", types.MergePatchType,
		[]byte(`{"status":{"phase":"Failed","reason":"forged","nodeName":"elsewhere"}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("status patch as %s: %v (want it accepted and reverted)", saName, err)
	}
	if out.Status.Phase != virtv1.Running || out.Status.Reason == "forged" || out.Status.NodeName == "elsewhere" {
		t.Fatalf("status edit by %s/%s kept: phase %s reason %q node %q", ns, saName, out.Status.Phase, out.Status.Reason, out.Status.NodeName)
	}
	for patch, want := range map[string]string{
		`{"metadata":{"labels":{"` + virtv1.NodeNameLabel + `":"elsewhere"}}}`: "this label is reserved for kvirt",
		`{"spec":{"hostname":"forged"}}`:                                       "immutable after creation",
	} {
		_, err := vmis.Patch(ctx, "victim", types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		if !isStatus(err, 422) || !strings.Contains(err.Error(), want) {
			t.Errorf("patch %s as %s/%s: %v, want 422 %q", patch, ns, saName, err, want)
		}
	}
	got, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Get(ctx, "victim", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != virtv1.Running || got.Labels[virtv1.NodeNameLabel] == "elsewhere" || got.Spec.Hostname == "forged" {
		t.Fatalf("victim changed: phase %s labels %v hostname %q", got.Status.Phase, got.Labels, got.Spec.Hostname)
	}
}

// waitStatusEditsReverted waits until the mutating webhook reverts a status edit
// and the validating one refuses a spec edit by a plain user, so that an edit kept later is the identity check's doing,
// not a webhook configuration the apiserver has not loaded yet.
func waitStatusEditsReverted(t *testing.T, e env, ns, name string) {
	t.Helper()
	user := kvirtclient.NewForConfigOrDie(impersonating(e.admin, "probe-user", "system:authenticated"))
	grantVMIPatch(t, e, ns, "probe", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "probe-user"})
	waitAllowed(t, e, ns, "probe-user", []string{"system:authenticated"})
	eventually(t, identityTimeout, "a user's status edit reverted", func() error {
		out, err := user.KubevirtV1().VirtualMachineInstances(ns).Patch(context.Background(), name, types.MergePatchType,
			[]byte(`{"status":{"reason":"probe"}}`), metav1.PatchOptions{})
		if err != nil {
			return err
		}
		if out.Status.Reason == "probe" {
			return fmt.Errorf("status edit kept: webhook not active yet")
		}
		return nil
	})
	eventually(t, identityTimeout, "a user's spec edit refused", func() error {
		_, err := user.KubevirtV1().VirtualMachineInstances(ns).Patch(context.Background(), name, types.MergePatchType,
			[]byte(`{"spec":{"hostname":"probe"}}`), metav1.PatchOptions{})
		if !isStatus(err, 422) {
			return fmt.Errorf("spec edit: %w (webhook not active yet?)", err)
		}
		return nil
	})
}

// forgedComponentClient creates ServiceAccount saName in ns with patch rights on
// the namespace's VMIs, waits until the apiserver authorizes it, and returns a
// client acting as it.
func forgedComponentClient(t *testing.T, e env, ns, saName string) kvirtclient.Interface {
	t.Helper()
	ctx := context.Background()
	if _, err := e.kube.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: saName}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create ServiceAccount: %v", err)
	}
	grantVMIPatch(t, e, ns, "forged", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: saName, Namespace: ns})
	user := "system:serviceaccount:" + ns + ":" + saName
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
	waitAllowed(t, e, ns, user, groups)
	return kvirtclient.NewForConfigOrDie(impersonating(e.admin, user, groups...))
}

func impersonating(admin *rest.Config, user string, groups ...string) *rest.Config {
	cfg := rest.CopyConfig(admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	return cfg
}

// grantVMIPatch lets subject get and patch the VMIs of ns.
func grantVMIPatch(t *testing.T, e env, ns, name string, subject rbacv1.Subject) {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{virtv1.GroupName}, Resources: []string{"virtualmachineinstances"}, Verbs: []string{"get", "patch"},
	}}}
	if _, err := e.kube.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}, Subjects: []rbacv1.Subject{subject}}
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitAllowed polls a SubjectAccessReview, answered by the same authorizer and
// caches as real requests, until user may patch VMIs in ns.
func waitAllowed(t *testing.T, e env, ns, user string, groups []string) {
	t.Helper()
	eventually(t, identityTimeout, user+" may patch VMIs", func() error {
		sar, err := e.kube.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups,
				ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "patch",
					Group: virtv1.GroupName, Resource: "virtualmachineinstances"}},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if !sar.Status.Allowed {
			return fmt.Errorf("not allowed yet: %s", strings.TrimSpace(sar.Status.Reason))
		}
		return nil
	})
}
