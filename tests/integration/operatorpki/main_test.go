package operatorpki

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/poll"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{SkipCRDs: true}, func(c *controlplane.ControlPlane) { cp = c }))
}

const apiTimeout = 30 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// as returns a client acting as user (impersonation by the admin).
func as(t *testing.T, user string) kubernetes.Interface {
	t.Helper()
	cfg := cp.RESTConfig()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	return kubernetes.NewForConfigOrDie(cfg)
}

func serviceAccountUser(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

func ensureNamespace(ctx context.Context, t *testing.T, kube kubernetes.Interface, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// create creates each object through kube (whose identity decides what RBAC
// allows); objects that already exist are left as they are.
func create(ctx context.Context, kube kubernetes.Interface, objs []runtime.Object) error {
	for _, o := range objs {
		var err error
		opts := metav1.CreateOptions{}
		switch v := o.(type) {
		case *corev1.ServiceAccount:
			_, err = kube.CoreV1().ServiceAccounts(v.Namespace).Create(ctx, v, opts)
		case *rbacv1.ClusterRole:
			_, err = kube.RbacV1().ClusterRoles().Create(ctx, v, opts)
		case *rbacv1.ClusterRoleBinding:
			_, err = kube.RbacV1().ClusterRoleBindings().Create(ctx, v, opts)
		case *rbacv1.Role:
			_, err = kube.RbacV1().Roles(v.Namespace).Create(ctx, v, opts)
		case *rbacv1.RoleBinding:
			_, err = kube.RbacV1().RoleBindings(v.Namespace).Create(ctx, v, opts)
		default:
			err = fmt.Errorf("unexpected object %T", o)
		}
		if err != nil && !apierrors.IsAlreadyExists(err) { // a retry finds the earlier attempt's objects
			return fmt.Errorf("create %T: %w", o, err)
		}
	}
	return nil
}

// access is one SelfSubjectAccessReview row.
type access struct {
	verb, group, resource, sub, namespace, name string
	allowed                                     bool
}

func (a access) String() string {
	r := a.resource
	if a.sub != "" {
		r += "/" + a.sub
	}
	if a.name != "" {
		r += " " + a.name
	}
	return fmt.Sprintf("%s %s.%s in %q", a.verb, r, a.group, a.namespace)
}

// checkAccess asks as user about every row. RBAC caches settle within a
// moment of the objects' creation, so a mismatch is retried until apiTimeout.
func checkAccess(ctx context.Context, t *testing.T, user string, rows []access) {
	t.Helper()
	kube := as(t, user)
	for _, row := range rows {
		poll.Eventually(t, apiTimeout, user+" "+row.String(), func() error {
			review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Verb: row.verb, Group: row.group, Resource: row.resource, Subresource: row.sub,
					Namespace: row.namespace, Name: row.name,
				}}}
			res, err := kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			if res.Status.Allowed != row.allowed {
				return fmt.Errorf("allowed = %v, want %v (%s)", res.Status.Allowed, row.allowed, res.Status.Reason)
			}
			return nil
		})
	}
}
