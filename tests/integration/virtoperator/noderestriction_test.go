package virtoperator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/poll"
)

// restrictionTimeout bounds every wait on the apiserver's caches (RBAC, the
// admission policy) to reflect what the test created.
const restrictionTimeout = 90 * time.Second

const (
	nodeA, nodeB = "restriction-node-a", "restriction-node-b"
)

// handlerAs is a client acting as the install's virt-handler ServiceAccount,
// with node as its token's node claim ("" for none).
type handlerAs struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
}

func newHandlerAs(node string) handlerAs {
	cfg := componentrbac.As(cp.RESTConfig(), componentrbac.Handler)
	if node != "" {
		cfg.Impersonate.Extra = map[string][]string{strategy.NodeNameExtra: {node}}
	}
	return handlerAs{kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg)}
}

// TestNodeRestriction installs the policy and binding exactly as virt-operator
// renders them and checks that virt-handler's account, with its token's node
// claim, writes only its own Node and the VMIs on (or migrating to) its node.
func TestNodeRestriction(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	installNodeRestriction(t, c)
	for _, n := range []string{nodeA, nodeB} {
		createNode(t, c, n)
	}
	ns := restrictionNamespace(t, c)
	vmi := func(name, node, target string) {
		createPlacedVMI(t, c, ns, name, node, target)
	}
	vmi("on-a", nodeA, "")
	vmi("on-b", nodeB, "")
	vmi("moving-away", nodeA, "")
	vmi("relabelled", nodeA, "")
	vmi("target-a", nodeB, nodeA)
	vmi("target-b", nodeA, nodeB)
	waitHandlerAuthorized(t, c)
	waitPolicyActive(t)

	a, none := newHandlerAs(nodeA), newHandlerAs("")
	nodePatch := []byte(`{"metadata":{"annotations":{"` + virtv1.NodeAPIAddressAnnotation + `":"192.0.2.1:8186"}}}`)
	cases := []struct {
		name string
		do   func() error
		want string // "" allowed, else the refusal's message
	}{
		{"own node annotated", func() error { return patchNode(a, nodeA, nodePatch) }, ""},
		{"other node's annotation", func() error { return patchNode(a, nodeB, nodePatch) }, strategy.NodeRestrictionOtherNode},
		{"own node without node claim", func() error { return patchNode(none, nodeA, nodePatch) }, strategy.NodeRestrictionNoNodeClaim},
		{"own VMI's status", func() error { return patchVMI(a, ns, "on-a", `{"status":{"phase":"Running"}}`) }, ""},
		{"other node's VMI", func() error { return patchVMI(a, ns, "on-b", `{"status":{"phase":"Failed"}}`) }, strategy.NodeRestrictionOtherVMI},
		{"own VMI without node claim", func() error { return patchVMI(none, ns, "on-a", `{"status":{"phase":"Failed"}}`) },
			strategy.NodeRestrictionNoNodeClaim},
		{"own VMI moved to another node", func() error {
			return patchVMI(a, ns, "moving-away", `{"status":{"nodeName":"`+nodeB+`"}}`)
		}, strategy.NodeRestrictionMoveVMI},
		{"own VMI relabelled to another node", func() error {
			return patchVMI(a, ns, "relabelled", `{"metadata":{"labels":{"`+virtv1.NodeNameLabel+`":"`+nodeB+`"}}}`)
		}, strategy.NodeRestrictionMoveVMI},
		{"own VMI's node label removed", func() error {
			return patchVMI(a, ns, "relabelled", `{"metadata":{"labels":{"`+virtv1.NodeNameLabel+`":null}}}`)
		}, strategy.NodeRestrictionMoveVMI},
		{"own VMI sent to migrate elsewhere", func() error {
			return patchVMI(a, ns, "on-a", `{"metadata":{"labels":{"`+virtv1.MigrationTargetNodeNameLabel+`":"`+nodeB+`"}}}`)
		}, strategy.NodeRestrictionTargetLabel},
		{"source of a migration writes its status", func() error {
			return patchVMI(a, ns, "target-b", `{"status":{"reason":"migrating"}}`)
		}, ""},
		{"target of a migration takes the VMI over", func() error {
			return patchVMI(a, ns, "target-a", `{"metadata":{"labels":{"`+virtv1.NodeNameLabel+`":"`+nodeA+`"}},"status":{"nodeName":"`+nodeA+`"}}`)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expectRefusal(t, tc.do(), tc.want) })
	}
	// Nobody else is restricted: the cluster admin still moves a VMI.
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx, "on-b", types.MergePatchType,
		[]byte(`{"status":{"nodeName":"`+nodeA+`"}}`), metav1.PatchOptions{}); err != nil {
		t.Errorf("admin patch refused: %v", err)
	}
	t.Run("pod-bound token carries the node claim", func(t *testing.T) { testPodBoundHandlerToken(t, c) })
}

func expectRefusal(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("refused: %v", err)
	case want != "" && err == nil:
		t.Fatalf("allowed, want refused with %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("refused with %v, want %q", err, want)
	case want != "" && !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err):
		t.Fatalf("refused with %v, want 422 or 403", err)
	}
}

func patchNode(h handlerAs, name string, patch []byte) error {
	_, err := h.kube.CoreV1().Nodes().Patch(context.Background(), name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

func patchVMI(h handlerAs, ns, name, patch string) error {
	_, err := h.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(context.Background(), name, types.MergePatchType,
		[]byte(patch), metav1.PatchOptions{})
	return err
}

// installNodeRestriction creates the operator's policy and binding (removed
// after the test) and the components' RBAC.
func installNodeRestriction(t *testing.T, c clients) {
	t.Helper()
	ctx := context.Background()
	if err := componentrbac.Install(ctx, c.kube); err != nil {
		t.Fatalf("component RBAC: %v", err)
	}
	reg := c.kube.AdmissionregistrationV1()
	for _, o := range strategy.NodeRestriction(componentrbac.Namespace) {
		var err error
		// An operator test before this one may have left them installed.
		switch v := o.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			api := reg.ValidatingAdmissionPolicies()
			if _, err = api.Create(ctx, v, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
				var cur *admissionregistrationv1.ValidatingAdmissionPolicy
				if cur, err = api.Get(ctx, v.Name, metav1.GetOptions{}); err == nil {
					v.ResourceVersion = cur.ResourceVersion
					_, err = api.Update(ctx, v, metav1.UpdateOptions{})
				}
			}
			t.Cleanup(func() { _ = api.Delete(ctx, v.Name, metav1.DeleteOptions{}) })
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			api := reg.ValidatingAdmissionPolicyBindings()
			if _, err = api.Create(ctx, v, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
				var cur *admissionregistrationv1.ValidatingAdmissionPolicyBinding
				if cur, err = api.Get(ctx, v.Name, metav1.GetOptions{}); err == nil {
					v.ResourceVersion = cur.ResourceVersion
					_, err = api.Update(ctx, v, metav1.UpdateOptions{})
				}
			}
			t.Cleanup(func() { _ = api.Delete(ctx, v.Name, metav1.DeleteOptions{}) })
		}
		if err != nil {
			t.Fatalf("create %T: %v", o, err)
		}
	}
}

func createNode(t *testing.T, c clients, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}) })
}

func restrictionNamespace(t *testing.T, c clients) string {
	t.Helper()
	ctx := context.Background()
	ns, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "restriction-"}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}) })
	return ns.Name
}

// createPlacedVMI creates a VMI scheduled to node (label and status.nodeName,
// as virt-controller leaves it), migrating to target when set. No webhooks run
// in this package, so the VMI is stored as given.
func createPlacedVMI(t *testing.T, c clients, ns, name, node, target string) {
	t.Helper()
	labels := map[string]string{virtv1.NodeNameLabel: node}
	if target != "" {
		labels[virtv1.MigrationTargetNodeNameLabel] = target
	}
	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: virtv1.VirtualMachineInstanceSpec{Domain: virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}}}},
		Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Scheduled, NodeName: node},
	}
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(context.Background(), vmi, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create VMI %s: %v", name, err)
	}
}

// waitHandlerAuthorized waits until RBAC lets virt-handler patch Nodes and VMIs,
// asking the authorizer the requests go through (SubjectAccessReview).
func waitHandlerAuthorized(t *testing.T, c clients) {
	t.Helper()
	for _, res := range []authorizationv1.ResourceAttributes{
		{Verb: "patch", Resource: "nodes"},
		{Verb: "patch", Group: virtv1.GroupName, Resource: "virtualmachineinstances"},
	} {
		poll.Eventually(t, restrictionTimeout, "virt-handler may "+res.Verb+" "+res.Resource, func() error {
			sar, err := c.kube.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{User: componentrbac.User(componentrbac.Handler),
					Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + componentrbac.Namespace, "system:authenticated"},
					ResourceAttributes: &res},
			}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			if !sar.Status.Allowed {
				return fmt.Errorf("not yet: %s", sar.Status.Reason)
			}
			return nil
		})
	}
}

// waitPolicyActive probes with a request the policy must refuse (virt-handler
// without a node claim) until the apiserver has loaded policy and binding; the
// probe changes nothing once it is refused.
func waitPolicyActive(t *testing.T) {
	t.Helper()
	none := newHandlerAs("")
	poll.Eventually(t, restrictionTimeout, "node restriction policy active", func() error {
		err := patchNode(none, nodeB, []byte(`{"metadata":{"annotations":{"kvirt.io/restriction-probe":"x"}}}`))
		if err == nil || !strings.Contains(err.Error(), strategy.NodeRestrictionNoNodeClaim) {
			return fmt.Errorf("probe not refused by the policy yet: %w", err)
		}
		return nil
	})
}

// testPodBoundHandlerToken: the token a pod of virt-handler's DaemonSet gets
// (TokenRequest bound to the pod, as the kubelet's projected volume asks)
// carries the pod's node, so the real virt-handler passes the policy for its
// node and no other.
func testPodBoundHandlerToken(t *testing.T, c clients) {
	ctx := context.Background()
	pod, err := c.kube.CoreV1().Pods(componentrbac.Namespace).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "virt-handler-"},
		Spec: corev1.PodSpec{NodeName: nodeA, ServiceAccountName: componentrbac.Handler,
			Containers: []corev1.Container{{Name: "virt-handler", Image: "kvirt.local/virt-handler:test"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create handler pod: %v", err)
	}
	t.Cleanup(func() {
		_ = c.kube.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	})
	tr, err := c.kube.CoreV1().ServiceAccounts(componentrbac.Namespace).CreateToken(ctx, componentrbac.Handler,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
		}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	poll.Eventually(t, restrictionTimeout, "token authenticates with the node claim", func() error {
		rev, err := c.kube.AuthenticationV1().TokenReviews().Create(ctx,
			&authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: tr.Status.Token}}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if got := rev.Status.User.Extra[strategy.NodeNameExtra]; !rev.Status.Authenticated || len(got) != 1 || got[0] != nodeA {
			return fmt.Errorf("authenticated %v, user %+v", rev.Status.Authenticated, rev.Status.User)
		}
		return nil
	})
	cfg := rest.AnonymousClientConfig(cp.RESTConfig())
	cfg.BearerToken = tr.Status.Token
	h := handlerAs{kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg)}
	annotate := []byte(`{"metadata":{"annotations":{"kvirt.io/token-test":"x"}}}`)
	expectRefusal(t, patchNode(h, nodeA, annotate), "")
	expectRefusal(t, patchNode(h, nodeB, annotate), strategy.NodeRestrictionOtherNode)
}

// checkNodeRestriction: the operator installed the policy for its namespace's
// virt-handler, bound with Deny.
func checkNodeRestriction(t *testing.T, c clients, ns string) {
	t.Helper()
	ctx := context.Background()
	pol, err := c.kube.AdmissionregistrationV1().ValidatingAdmissionPolicies().Get(ctx, strategy.NodeRestrictionPolicyName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("node restriction policy: %v", err)
	}
	if len(pol.Spec.MatchConditions) != 1 || !strings.Contains(pol.Spec.MatchConditions[0].Expression, "system:serviceaccount:"+ns+":kubevirt-handler") {
		t.Errorf("policy matches %+v, want %s's kubevirt-handler", pol.Spec.MatchConditions, ns)
	}
	b, err := c.kube.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Get(ctx, strategy.NodeRestrictionBindingName, metav1.GetOptions{})
	if err != nil || b.Spec.PolicyName != strategy.NodeRestrictionPolicyName {
		t.Errorf("node restriction binding: %v %+v", err, b)
	}
}
