package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
	"kvirt.io/kvirt/tests/framework/poll"
)

// identityTimeout bounds waits for RBAC and tokens to take effect.
const identityTimeout = 2 * time.Minute

// tokenClients acts with a bearer token only (no client certificate).
func tokenClients(token string) (kubernetes.Interface, kvirtclient.Interface) {
	cfg := rest.AnonymousClientConfig(e.config)
	cfg.BearerToken = token
	return kubernetes.NewForConfigOrDie(cfg), kvirtclient.NewForConfigOrDie(cfg)
}

// TestForgedHandlerAccountCannotWriteVMIStatus: a namespace admin creates a
// ServiceAccount named virt-handler in their namespace, takes a token for it
// and patches their running VMI's phase and node label with it. The status
// edit is reverted, the label refused, and the VM keeps running.
func TestForgedHandlerAccountCannotWriteVMIStatus(t *testing.T) {
	ns := newNamespace(t)
	vmi, _ := runningVM(t, ns)
	adminUser := "ns-admin-" + rand.String(5)
	bindInNamespace(t, ns, "ns-admin", "admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: adminUser})
	// Whatever the built-in admin role holds, the namespace admin may mint tokens here.
	tokenRole := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "mint-tokens"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"}}}}
	if _, err := e.kube.RbacV1().Roles(ns).Create(ctx(t), tokenRole, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindInNamespaceRole(t, ns, "mint-tokens", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: adminUser})
	waitMay(t, adminUser, nil, authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "serviceaccounts", Subresource: "token"})

	admCfg := rest.CopyConfig(e.config)
	admCfg.Impersonate = rest.ImpersonationConfig{UserName: adminUser, Groups: []string{"system:authenticated"}}
	nsAdmin := kubernetes.NewForConfigOrDie(admCfg)
	if _, err := nsAdmin.CoreV1().ServiceAccounts(ns).Create(ctx(t), &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "virt-handler"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace admin creates ServiceAccount virt-handler: %v", err)
	}
	if _, err := nsAdmin.RbacV1().RoleBindings(ns).Create(ctx(t), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "forged-handler"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "virt-handler", Namespace: ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace admin binds its ServiceAccount: %v", err)
	}
	forgedUser := "system:serviceaccount:" + ns + ":virt-handler"
	waitMay(t, forgedUser, []string{"system:serviceaccounts", "system:serviceaccounts:" + ns},
		authorizationv1.ResourceAttributes{Namespace: ns, Verb: "patch", Group: virtv1.GroupName, Resource: "virtualmachineinstances"})
	tr, err := nsAdmin.CoreV1().ServiceAccounts(ns).CreateToken(ctx(t), "virt-handler", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token for the forged account: %v", err)
	}
	_, forged := tokenClients(tr.Status.Token)
	vmis := forged.KubevirtV1().VirtualMachineInstances(ns)
	out, err := vmis.Patch(ctx(t), vmi.Name, types.MergePatchType, []byte(`{"status":{"phase":"Failed","reason":"forged"}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("forged status patch: %v (want accepted and reverted)", err)
	}
	if out.Status.Phase != virtv1.Running || out.Status.Reason == "forged" {
		t.Fatalf("forged status kept: phase %s reason %q", out.Status.Phase, out.Status.Reason)
	}
	_, err = vmis.Patch(ctx(t), vmi.Name, types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"`+virtv1.NodeNameLabel+`":"elsewhere"}}}`), metav1.PatchOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "reserved for kvirt") {
		t.Fatalf("forged node label: %v, want refused as reserved", err)
	}
	got := waitRunning(t, ns, vmi.Name)
	if got.UID != vmi.UID || got.Labels[virtv1.NodeNameLabel] != vmi.Labels[virtv1.NodeNameLabel] {
		t.Fatalf("VMI replaced or relabelled: uid %s labels %v", got.UID, got.Labels)
	}
	consoleUntil(t, ns, vmi.Name, markerBooted)
}

// TestHandlerTokenKeptToItsNode: a token of virt-handler's ServiceAccount bound
// to the real handler pod (as its projected volume holds) may write its own
// Node and VMIs, but not another Node (a fake one the test creates), a VMI
// placed on that node, or move its own VMI there.
func TestHandlerTokenKeptToItsNode(t *testing.T) {
	ns := newNamespace(t)
	vmi, _ := runningVM(t, ns)
	pods := handlerPods(t)
	var pod *corev1.Pod
	for i := range pods {
		if pods[i].Spec.NodeName == vmi.Status.NodeName && podReady(&pods[i]) {
			pod = &pods[i]
		}
	}
	if pod == nil {
		t.Fatalf("no ready virt-handler pod on %s", vmi.Status.NodeName)
	}
	fake := fakeNode(t)
	tr, err := e.kube.CoreV1().ServiceAccounts(kvirtNamespace).CreateToken(ctx(t), rbac.HandlerName, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{
			Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token bound to %s: %v", pod.Name, err)
	}
	kube, kvirt := tokenClients(tr.Status.Token)
	node := pod.Spec.NodeName
	annotate := []byte(`{"metadata":{"annotations":{"kvirt.io/e2e-node-restriction":"probe"}}}`)
	if _, err := kube.CoreV1().Nodes().Patch(ctx(t), node, types.MergePatchType, annotate, metav1.PatchOptions{}); err != nil {
		t.Fatalf("handler token on its own node %s: %v", node, err)
	}
	t.Cleanup(func() {
		_, _ = e.kube.CoreV1().Nodes().Patch(context.Background(), node, types.MergePatchType,
			[]byte(`{"metadata":{"annotations":{"kvirt.io/e2e-node-restriction":null}}}`), metav1.PatchOptions{})
	})
	_, err = kube.CoreV1().Nodes().Patch(ctx(t), fake, types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"`+virtv1.NodeAPIAddressAnnotation+`":"192.0.2.1:8186"}}}`), metav1.PatchOptions{})
	expectRestricted(t, "another node's node-api-address", err, strategy.NodeRestrictionOtherNode)

	_, err = kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx(t), vmi.Name, types.MergePatchType,
		[]byte(`{"status":{"nodeName":"`+fake+`"}}`), metav1.PatchOptions{})
	expectRestricted(t, "own VMI moved to another node", err, strategy.NodeRestrictionMoveVMI)

	elsewhere := vmiOnNode(t, ns, fake)
	_, err = kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx(t), elsewhere, types.MergePatchType,
		[]byte(`{"status":{"reason":"forged"}}`), metav1.PatchOptions{})
	expectRestricted(t, "VMI on another node", err, strategy.NodeRestrictionOtherVMI)
	if got := waitRunning(t, ns, vmi.Name); got.Status.NodeName != node {
		t.Fatalf("VMI moved to %s", got.Status.NodeName)
	}
}

func expectRestricted(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: %v, want refused with %q", what, err, want)
	}
}

// fakeNode creates a Node no kubelet backs and removes it, and any pod the
// virt-handler DaemonSet put there, when the test ends.
func fakeNode(t *testing.T) string {
	t.Helper()
	name := "e2e-fake-node-" + rand.String(5)
	if _, err := e.kube.CoreV1().Nodes().Create(ctx(t), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.NodeSpec{Unschedulable: true}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create fake node: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is over once cleanups run.
		bg := context.Background()
		_ = e.kube.CoreV1().Nodes().Delete(bg, name, metav1.DeleteOptions{})
		poll.Eventually(t, identityTimeout, "no pod left on "+name, func() error {
			pods, err := e.kube.CoreV1().Pods("").List(bg, metav1.ListOptions{FieldSelector: "spec.nodeName=" + name})
			if err != nil {
				return err
			}
			for _, p := range pods.Items {
				_ = e.kube.CoreV1().Pods(p.Namespace).Delete(bg, p.Name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
			}
			if len(pods.Items) > 0 {
				return fmt.Errorf("%d pods left", len(pods.Items))
			}
			return nil
		})
	})
	return name
}

// vmiOnNode creates a VMI that cannot be scheduled and places it on node as
// virt-controller would (label and status.nodeName, written as virt-controller's
// ServiceAccount, the writer of those fields).
func vmiOnNode(t *testing.T, ns, node string) string {
	t.Helper()
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "placed-elsewhere"},
		Spec: virtv1.VirtualMachineInstanceSpec{
			NodeSelector: map[string]string{"kvirt.io/e2e-no-such-node": "true"},
			Domain: virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}}},
			Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: e.guestDisk}}},
		}}
	if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx(t), vmi, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create VMI: %v", err)
	}
	cfg := rest.CopyConfig(e.config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + kvirtNamespace + ":" + rbac.ControllerName,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + kvirtNamespace, "system:authenticated"}}
	ctrl := kvirtclient.NewForConfigOrDie(cfg)
	patch := []byte(`{"metadata":{"labels":{"` + virtv1.NodeNameLabel + `":"` + node + `"}},"status":{"nodeName":"` + node + `"}}`)
	poll.Eventually(t, identityTimeout, "VMI placed on "+node, func() error {
		out, err := ctrl.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx(t), vmi.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		if err != nil {
			return err
		}
		if out.Status.NodeName != node || out.Labels[virtv1.NodeNameLabel] != node {
			return fmt.Errorf("node %q label %q", out.Status.NodeName, out.Labels[virtv1.NodeNameLabel])
		}
		return nil
	})
	return vmi.Name
}

func bindInNamespace(t *testing.T, ns, name, clusterRole string, subject rbacv1.Subject) {
	t.Helper()
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(ctx(t), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects: []rbacv1.Subject{subject}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func bindInNamespaceRole(t *testing.T, ns, role string, subject rbacv1.Subject) {
	t.Helper()
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(ctx(t), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role},
		Subjects: []rbacv1.Subject{subject}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitMay polls a SubjectAccessReview until user (with groups) may do attrs.
func waitMay(t *testing.T, user string, groups []string, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	groups = append(groups, "system:authenticated")
	poll.Eventually(t, identityTimeout, user+" may "+attrs.Verb+" "+attrs.Resource, func() error {
		sar, err := e.kube.AuthorizationV1().SubjectAccessReviews().Create(ctx(t), &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: &attrs}}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if !sar.Status.Allowed {
			return fmt.Errorf("not yet: %s", sar.Status.Reason)
		}
		return nil
	})
}
