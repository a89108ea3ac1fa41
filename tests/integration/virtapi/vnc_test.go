package virtapi

import (
	"context"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// displayAs asks for a display subresource with a plain GET through the
// aggregator as user ("" is the admin).
func displayAs(ctx context.Context, t *testing.T, e env, user, ns, name, sub string) error {
	t.Helper()
	cfg := rest.CopyConfig(e.admin)
	if user != "" {
		cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	}
	path := fmt.Sprintf("%s/namespaces/%s/virtualmachineinstances/%s/%s", groupVersionPath, ns, name, sub)
	body, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().RESTClient().Get().AbsPath(path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("%w (body %s)", err, body)
	}
	return nil
}

// testVNC: vnc and vnc/screenshot of a VMI without a graphics device are
// upstream's 400; the user roles grant them to edit and not to view.
func testVNC(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	createUserRoles(t, e)
	vmis := e.kvirt.KubevirtV1().VirtualMachineInstances(ns)
	headless := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "headless"}, Spec: minimalSpec()}
	headless.Spec.Domain.Devices.AutoattachGraphicsDevice = ptr.To(false)
	if _, err := vmis.Create(ctx, headless, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindClusterRole(t, e, ns, "editor", rbac.EditRole)
	bindClusterRole(t, e, ns, "viewer", rbac.ViewRole)
	for _, sub := range []string{"vnc", "vnc/screenshot"} {
		for _, user := range []string{"", "editor"} {
			err := displayAs(ctx, t, e, user, ns, "headless", sub)
			if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "No graphics devices are present.") {
				t.Errorf("%s of a VMI without graphics as %q: %v, want 400 No graphics devices are present.", sub, user, err)
			}
		}
		if err := displayAs(ctx, t, e, "viewer", ns, "headless", sub); !apierrors.IsForbidden(err) {
			t.Errorf("%s as a viewer: %v, want 403", sub, err)
		}
	}
}
