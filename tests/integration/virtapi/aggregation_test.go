package virtapi

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/tests/framework/componentrbac"
)

const groupVersionPath = "/apis/subresources.kubevirt.io/v1"

// createUserRoles (re)creates every RBAC object of virt-operator's, the user
// roles and their bindings among them.
func createUserRoles(t *testing.T, e env) {
	t.Helper()
	if err := componentrbac.Install(context.Background(), e.kube); err != nil {
		t.Fatal(err)
	}
}

// kubectl runs the pinned kubectl against the control plane.
func kubectl(args ...string) (string, error) {
	cmd := exec.Command(cp.Binaries().Kubectl, append([]string{"--kubeconfig", cp.KubeconfigPath()}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// testVersionThroughAggregator: `kubectl get --raw .../version` answers the
// version info through the kube-apiserver, and an ordinary user may read it
// once kubevirt.io:default exists (and not before).
func testVersionThroughAggregator(t *testing.T, e env) {
	ctx := context.Background()
	out, err := kubectl("get", "--raw", groupVersionPath+"/version")
	if err != nil {
		t.Fatalf("kubectl get --raw version: %v: %s", err, out)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || v["gitVersion"] == "" || v["gitTreeState"] == "" || v["compiler"] == "" {
		t.Errorf("version %q (%v), want upstream's version info", out, err)
	}
	if out, err := kubectl("get", "--raw", groupVersionPath+"/healthz"); err != nil || !strings.Contains(out, `"connectivity":"ok"`) {
		t.Errorf("kubectl get --raw healthz: %v: %s", err, out)
	}
	// The group's discovery (expand-vm-spec is no subresource) does not trouble kubectl.
	if out, err := kubectl("api-resources", "--api-group=subresources.kubevirt.io"); err != nil {
		t.Errorf("kubectl api-resources: %v: %s", err, out)
	}
	// Without the kubevirt.io:default binding an ordinary user may not read it.
	if err := e.kube.RbacV1().ClusterRoleBindings().Delete(ctx, rbac.DefaultRole, metav1.DeleteOptions{}); err != nil &&
		!apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	carol := userClient(t, e, "carol")
	// RBAC is followed through informers (the apiserver's, and virt-api's
	// authorization cache keeps an allowed answer 10 s): wait for the refusal.
	eventually(t, readyTimeout, "carol refused without kubevirt.io:default", func() error {
		if _, err := carol.Version(ctx); !apierrors.IsForbidden(err) {
			return fmt.Errorf("want 403, got %w", err)
		}
		return nil
	})
	createUserRoles(t, e)
	eventually(t, readyTimeout, "carol reads the version", func() error {
		info, err := carol.Version(ctx)
		if err == nil && info.GitVersion == "" {
			return fmt.Errorf("empty version %+v", info)
		}
		return err
	})
}

// testOpenAPIAggregated: the apiserver merges the group's v2 document and
// lists and proxies its v3 document, and logs no error about either.
func testOpenAPIAggregated(t *testing.T, _ env) {
	eventually(t, readyTimeout, "the aggregated v2 spec has the group's paths", func() error {
		out, err := kubectl("get", "--raw", "/openapi/v2")
		if err != nil {
			return fmt.Errorf("%w: %.200s", err, out)
		}
		if !strings.Contains(out, groupVersionPath+"/namespaces/{namespace}/expand-vm-spec") {
			return fmt.Errorf("expand-vm-spec not in the merged spec")
		}
		if !strings.Contains(out, groupVersionPath+"/namespaces/{namespace}/virtualmachineinstances/{name}/reset") {
			return fmt.Errorf("reset not in the merged spec")
		}
		return nil
	})
	out, err := kubectl("get", "--raw", "/openapi/v3")
	if err != nil || !strings.Contains(out, `"apis/subresources.kubevirt.io/v1"`) {
		t.Fatalf("v3 discovery: %v: %.300s", err, out)
	}
	out, err = kubectl("get", "--raw", "/openapi/v3"+groupVersionPath)
	if err != nil || !strings.Contains(out, groupVersionPath+"/version") {
		t.Fatalf("v3 document: %v: %.300s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(cp.LogDir(), "kube-apiserver.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, "subresources.kubevirt.io") && (strings.HasPrefix(line, "E") || strings.HasPrefix(line, "W")) {
			t.Errorf("apiserver: %s", line)
		}
	}
}

// testExpand: a view user expands a stored VM and a posted one; a user with no
// role may do neither; a missing instancetype is a 400 with its name.
func testExpand(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	createUserRoles(t, e)
	it := &instancetypev1beta1.VirtualMachineClusterInstancetype{ObjectMeta: metav1.ObjectMeta{Name: "expand-u1"},
		Spec: instancetypev1beta1.VirtualMachineInstancetypeSpec{CPU: instancetypev1beta1.CPUInstancetype{Guest: 2},
			Memory: instancetypev1beta1.MemoryInstancetype{Guest: ptr.To(resource.MustParse("128Mi"))}}}
	if _, err := e.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Create(ctx, it, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	spec := minimalSpec()
	spec.Domain.Resources = virtv1.ResourceRequirements{}
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm"}, Spec: virtv1.VirtualMachineSpec{
		RunStrategy: ptr.To(virtv1.RunStrategyHalted), Instancetype: &virtv1.InstancetypeMatcher{Name: it.Name},
		Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec}}}
	if _, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create VM: %v", err)
	}
	bindClusterRole(t, e, ns, "dave", rbac.ViewRole)
	dave, erin := userClient(t, e, "dave"), userClient(t, e, "erin")
	var got *virtv1.VirtualMachine
	eventually(t, 30*time.Second, "dave expands the stored VM", func() error {
		var err error
		got, err = dave.ExpandSpec(ctx, ns, "vm")
		return err
	})
	if c := got.Spec.Template.Spec.Domain.CPU; c == nil || c.Sockets != 2 || got.Spec.Instancetype != nil {
		t.Errorf("expanded VM: cpu %+v, instancetype %+v", c, got.Spec.Instancetype)
	}
	posted := vm.DeepCopy()
	posted.Name = "not-stored"
	if got, err := dave.ExpandVMSpec(ctx, ns, posted); err != nil || got.Spec.Template.Spec.Domain.Memory == nil {
		t.Errorf("expand-vm-spec: %+v, %v", got, err)
	}
	posted.Spec.Instancetype.Name = "absent"
	if _, err := dave.ExpandVMSpec(ctx, ns, posted); !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing instancetype: want 400 naming it, got %v", err)
	}
	if _, err := erin.ExpandSpec(ctx, ns, "vm"); !apierrors.IsForbidden(err) {
		t.Errorf("erin expand-spec: want 403, got %v", err)
	}
	if _, err := erin.ExpandVMSpec(ctx, ns, posted); !apierrors.IsForbidden(err) {
		t.Errorf("erin expand-vm-spec: want 403, got %v", err)
	}
}

func bindClusterRole(t *testing.T, e env, ns, user, role string) {
	t.Helper()
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: user + "-" + strings.ReplaceAll(role, ":", "-")},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}}
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(context.Background(), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
