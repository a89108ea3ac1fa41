package virtapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/tests/framework/poll"
)

// portForwardAs asks for a portforward path with a plain GET through the
// aggregator as user.
func portForwardAs(ctx context.Context, e env, user, ns, resource, sub string) error {
	cfg := rest.CopyConfig(e.admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	path := fmt.Sprintf("%s/namespaces/%s/%s/%s", groupVersionPath, ns, resource, sub)
	body, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().RESTClient().Get().AbsPath(path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("%w (body %s)", err, body)
	}
	return nil
}

// testPortForward: portforward of VMIs and VMs, with and without a protocol,
// is authorized through the aggregator as virtualmachineinstances/portforward
// and virtualmachines/portforward (edit has both, view neither), and udp or a
// bad port are refused with 400 before anything is looked up.
func testPortForward(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	createUserRoles(t, e)
	bindClusterRole(t, e, ns, "editor", rbac.EditRole)
	bindClusterRole(t, e, ns, "viewer", rbac.ViewRole)
	for _, resource := range []string{"virtualmachineinstances", "virtualmachines"} {
		cases := map[string]string{
			"web/portforward/53/udp": "port-forward of udp is not supported by kvirt",
			"web/portforward/0":      "invalid port",
			"web/portforward/22/xyz": "invalid protocol",
		}
		for p, want := range cases {
			// The binding reaches the kube-apiserver's authorizer through an
			// informer: a 403 right after it was made is retried.
			poll.Eventually(t, time.Minute, resource+"/"+p+" as an editor: 400 "+want, func() error {
				err := portForwardAs(ctx, e, "editor", ns, resource, p)
				if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), want) {
					return fmt.Errorf("got %w", err)
				}
				return nil
			})
			if err := portForwardAs(ctx, e, "viewer", ns, resource, p); !apierrors.IsForbidden(err) {
				t.Errorf("%s/%s as a viewer: %v, want 403", resource, p, err)
			}
		}
	}
}
