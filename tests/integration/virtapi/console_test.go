package virtapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// consoleThroughAggregator asks for the console with a plain GET through the
// kube-apiserver's aggregator (virt-api decides before any upgrade).
func consoleThroughAggregator(ctx context.Context, e env, ns, name string) error {
	path := fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/console",
		virtv1.SubresourceGroupVersion.Group, virtv1.SubresourceGroupVersion.Version, ns, name)
	body, err := e.kube.CoreV1().RESTClient().Get().AbsPath(path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("%w (body %s)", err, body)
	}
	return nil
}

// testConsole: a VMI with autoattachSerialConsole false is refused with
// upstream's 400; a console asked for while the VMI is still scheduling waits
// (through the aggregator, on a real watch) until the VMI runs on a node, and
// only then goes on to that node (which does not exist here: 404).
func testConsole(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	vmis := e.kvirt.KubevirtV1().VirtualMachineInstances(ns)

	noSerial := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "noserial"}, Spec: minimalSpec()}
	noSerial.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(false)
	if _, err := vmis.Create(ctx, noSerial, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := consoleThroughAggregator(ctx, e, ns, "noserial"); !apierrors.IsBadRequest(err) ||
		!strings.Contains(err.Error(), "No serial consoles are present.") {
		t.Errorf("console without serial console: %v, want 400 No serial consoles are present.", err)
	}

	if _, err := vmis.Create(ctx, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "late"}, Spec: minimalSpec()},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// the status of a VMI is kvirt's to write: the webhook reverts anyone else's
	handlerCfg := rest.CopyConfig(e.admin)
	handlerCfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:kubevirt:kubevirt-handler",
		Groups: []string{"system:masters", "system:authenticated"}}
	handler := kvirtclient.NewForConfigOrDie(handlerCfg).KubevirtV1().VirtualMachineInstances(ns)
	const runsAfter = 1500 * time.Millisecond
	played := make(chan error, 1)
	go func() {
		time.Sleep(runsAfter)
		vmi, err := vmis.Get(ctx, "late", metav1.GetOptions{})
		if err == nil {
			vmi.Status.Phase, vmi.Status.NodeName = virtv1.Running, "n1"
			_, err = handler.Update(ctx, vmi, metav1.UpdateOptions{})
		}
		played <- err
	}()
	start := time.Now()
	err := consoleThroughAggregator(ctx, e, ns, "late")
	waited := time.Since(start)
	if err := <-played; err != nil {
		t.Fatalf("play virt-handler (VMI running on n1): %v", err)
	}
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "n1") {
		t.Errorf("console of a VMI that starts running on a missing node: %v, want the node's 404", err)
	}
	if waited < runsAfter || waited > runsAfter+5*time.Second {
		t.Errorf("answered after %s: it must wait for the VMI to run (at %s), and no longer", waited, runsAfter)
	}
	t.Logf("console answered %s after the request, the VMI ran after %s", waited.Round(time.Millisecond), runsAfter)
}
