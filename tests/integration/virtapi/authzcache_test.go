package virtapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// testRevokedPermission: virt-api caches a granted SubjectAccessReview for a
// few seconds; once the RoleBinding is deleted, the same request (start of a
// VM already started: allowed answers 409) is refused within the cache
// lifetime plus the apiserver's RBAC propagation. (The kube-apiserver itself
// authorizes the proxied path before virt-api is asked, so the refusal
// usually comes at once; the test guards that the cache never extends a
// revoked grant beyond its lifetime.) Polls, asserts no timing.
func testRevokedPermission(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	grantLifecycle(t, e, ns, "frank")
	lifecycleVM(t, e, ns, "vm", virtv1.RunStrategyHalted, false)
	frank := userClient(t, e, "frank")
	eventually(t, 30*time.Second, "frank starts the VM", func() error {
		return frank.StartVM(ctx, ns, "vm", &virtv1.StartOptions{})
	})
	// Now allowed (and cached): a second start is refused as already running.
	if err := frank.StartVM(ctx, ns, "vm", &virtv1.StartOptions{}); !isStatus(err, http.StatusConflict) {
		t.Fatalf("second start: want 409, got %v", err)
	}
	if err := e.kube.RbacV1().RoleBindings(ns).Delete(ctx, "vm-lifecycle", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "frank refused once the binding is gone", func() error {
		err := frank.StartVM(ctx, ns, "vm", &virtv1.StartOptions{})
		if apierrors.IsForbidden(err) {
			return nil
		}
		if err == nil {
			return errors.New("start after revocation allowed")
		}
		return fmt.Errorf("start after revocation: %w", err)
	})
}
