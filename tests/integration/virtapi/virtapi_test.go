package virtapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/subresources"
	"kvirt.io/kvirt/tests/framework/controlplane"
)

var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

// TestVirtAPI starts one virt-api for all its subtests.
func TestVirtAPI(t *testing.T) {
	e := startVirtAPI(t, cp)
	t.Run("bad VM refused with every cause", func(t *testing.T) { testBadVMRefused(t, e) })
	t.Run("minimal VMI defaulted", func(t *testing.T) { testVMIDefaults(t, e) })
	t.Run("upstream examples accepted or refused as upstream", func(t *testing.T) { testExamples(t, e) })
	t.Run("instancetype references read as virt-api's ServiceAccount", func(t *testing.T) { testInstancetypeReferences(t, e) })
	t.Run("inferFromVolume read from the claim's labels", func(t *testing.T) { testInferFromVolume(t, e) })
	t.Run("unsupported fields refused with their path, compat fields warned", func(t *testing.T) { testUnsupportedFields(t, e) })
	t.Run("v1alpha3 objects admitted and stored as v1", func(t *testing.T) { testV1alpha3(t, e) })
	t.Run("presets merged into new matching VMIs", func(t *testing.T) { testPresetApplied(t, e) })
	t.Run("conflicting presets refuse the VMI", func(t *testing.T) { testConflictingPresets(t, e) })
	t.Run("discovery lists the subresources", func(t *testing.T) { testDiscovery(t, e) })
	t.Run("version and healthz through the aggregator, version for every user", func(t *testing.T) { testVersionThroughAggregator(t, e) })
	t.Run("OpenAPI merged by the aggregator without errors", func(t *testing.T) { testOpenAPIAggregated(t, e) })
	t.Run("expand-spec and expand-vm-spec with RBAC", func(t *testing.T) { testExpand(t, e) })
	t.Run("start stop restart with RBAC", func(t *testing.T) { testLifecycle(t, e) })
	t.Run("revoked permission refused within the authorization cache TTL", func(t *testing.T) { testRevokedPermission(t, e) })
	t.Run("start stop restart refused with upstream's messages", func(t *testing.T) { testUpstreamRefusals(t, e) })
	t.Run("forced stop shortens the VMI grace period", func(t *testing.T) { testForceStop(t, e) })
	t.Run("restart retries on concurrent status writes", func(t *testing.T) { testRestartUnderStatusUpdates(t, e) })
	t.Run("console waits for the VMI and refuses one without serial console", func(t *testing.T) { testConsole(t, e) })
	t.Run("reset with RBAC and upstream's refusal", func(t *testing.T) { testReset(t, e) })
	t.Run("paused start records a Start request and leaves the VM spec", func(t *testing.T) { testPausedStart(t, e) })
	t.Run("vnc and its screenshot refused without graphics, granted to edit", func(t *testing.T) { testVNC(t, e) })
	t.Run("portforward authorized for edit, udp and bad ports refused", func(t *testing.T) { testPortForward(t, e) })
	t.Run("component-named accounts outside the install namespace are tenants", func(t *testing.T) { testComponentNamesAreTenants(t, e) })
	t.Run("health, metrics and no trust without the front proxy", func(t *testing.T) { testDirect(t, e) })
}

func minimalSpec() virtv1.VirtualMachineInstanceSpec {
	return virtv1.VirtualMachineInstanceSpec{
		Domain: virtv1.DomainSpec{Resources: virtv1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
		}},
		Volumes: []virtv1.Volume{{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "quay.io/kvirt/cirros:v1"}}},
	}
}

func testBadVMRefused(t *testing.T, e env) {
	ns := testNamespace(t, e)
	spec := minimalSpec()
	spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "missing"}}
	spec.Hostname = "Not_A_Label"
	vm := &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "bad"},
		Spec:       virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted), Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: spec}},
	}
	_, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Create(context.Background(), vm, metav1.CreateOptions{})
	var status *apierrors.StatusError
	if !errors.As(err, &status) || status.ErrStatus.Details == nil {
		t.Fatalf("want a denial with details, got %v", err)
	}
	t.Logf("denial: %s", status.ErrStatus.Message)
	want := map[string]bool{"spec.template.spec.domain.devices.disks[0].name": false, "spec.template.spec.hostname": false}
	for _, c := range status.ErrStatus.Details.Causes {
		if _, ok := want[c.Field]; ok {
			want[c.Field] = true
		}
	}
	for f, seen := range want {
		if !seen {
			t.Errorf("no cause for %s in %+v", f, status.ErrStatus.Details.Causes)
		}
	}
}

func testVMIDefaults(t *testing.T, e env) {
	ns := testNamespace(t, e)
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "minimal"}, Spec: minimalSpec()}
	got, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(context.Background(), vmi, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create minimal VMI: %v", err)
	}
	s := got.Spec
	checks := map[string]bool{
		"phase Pending":        got.Status.Phase == virtv1.Pending,
		"machine q35":          s.Domain.Machine != nil && s.Domain.Machine.Type == "q35",
		"cpu host-model 1x1x1": s.Domain.CPU != nil && s.Domain.CPU.Model == "host-model" && s.Domain.CPU.Sockets == 1,
		"guest memory 64Mi":    s.Domain.Memory != nil && s.Domain.Memory.Guest != nil && s.Domain.Memory.Guest.String() == "64Mi",
		"sata disk for volume": len(s.Domain.Devices.Disks) == 1 && s.Domain.Devices.Disks[0].Disk != nil && s.Domain.Devices.Disks[0].Disk.Bus == virtv1.DiskBusSATA,
		"bridge pod network":   len(s.Networks) == 1 && s.Networks[0].Pod != nil && len(s.Domain.Devices.Interfaces) == 1 && s.Domain.Devices.Interfaces[0].Bridge != nil,
		"grace period 180":     s.TerminationGracePeriodSeconds != nil && *s.TerminationGracePeriodSeconds == 180,
		"firmware uuid":        s.Domain.Firmware != nil && s.Domain.Firmware.UUID != "",
		"finalizer":            len(got.Finalizers) == 1 && got.Finalizers[0] == virtv1.VirtualMachineInstanceFinalizer,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("default missing: %s (spec %+v status %+v)", what, s, got.Status)
		}
	}
	// A user edit of the status is reverted; a spec edit is refused.
	got.Status.Phase = virtv1.Running
	upd, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Update(context.Background(), got, metav1.UpdateOptions{})
	if err != nil || upd.Status.Phase != virtv1.Pending {
		t.Errorf("status edit: err %v, phase %v; want it reverted to Pending", err, upd)
	}
	upd.Spec.Hostname = "changed"
	if _, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Update(context.Background(), upd, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("spec edit: want Invalid, got %v", err)
	}
}

func testDiscovery(t *testing.T, e env) {
	list, err := e.kube.Discovery().ServerResourcesForGroupVersion("subresources.kubevirt.io/v1")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	names := map[string]bool{}
	for _, r := range list.APIResources {
		names[r.Name] = true
	}
	for _, want := range []string{"virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart", "virtualmachineinstances/pause",
		"virtualmachineinstances/vnc", "virtualmachineinstances/vnc/screenshot", "virtualmachineinstances/reset",
		"virtualmachines/expand-spec", "expand-vm-spec",
		"virtualmachineinstances/guestosinfo", "virtualmachineinstances/userlist", "virtualmachineinstances/filesystemlist",
		"virtualmachineinstances/freeze", "virtualmachineinstances/unfreeze", "virtualmachineinstances/portforward"} {
		if !names[want] {
			t.Errorf("discovery lacks %s: %v", want, names)
		}
	}
	if names["virtualmachines/portforward"] {
		t.Error("discovery lists virtualmachines/portforward, which upstream serves but does not advertise")
	}
	if names["virtualmachineinstances/migrate"] {
		t.Error("discovery lists virtualmachineinstances/migrate, which upstream does not serve")
	}
	testFreezeNeedsTimeout(t, e)
}

// testFreezeNeedsTimeout: a freeze without unfreezeTimeout is a bad request,
// answered by virt-api before anything is looked up.
func testFreezeNeedsTimeout(t *testing.T, e env) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/vm/freeze"
	var code int
	err := e.kube.Discovery().RESTClient().Put().AbsPath(path).Body([]byte(`{}`)).
		SetHeader("Content-Type", "application/json").Do(ctx).StatusCode(&code).Error()
	if !isStatus(err, http.StatusBadRequest) || !strings.Contains(err.Error(), "unfreezeTimeout") {
		t.Fatalf("freeze without unfreezeTimeout: want 400 naming it, got %d %v", code, err)
	}
}

// userClient impersonates user through the admin credentials.
func userClient(t *testing.T, e env, user string) *subresources.Client {
	cfg := rest.CopyConfig(e.admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := subresources.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func grantLifecycle(t *testing.T, e env, ns, user string) {
	ctx := context.Background()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "vm-lifecycle"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{"subresources.kubevirt.io"}, Verbs: []string{"update"},
		Resources: []string{"virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart", "virtualmachines/migrate"},
	}}}
	if _, err := e.kube.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "vm-lifecycle"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: user}}}
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func testLifecycle(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	grantLifecycle(t, e, ns, "alice")
	vms := e.kvirt.KubevirtV1().VirtualMachines(ns)
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm"},
		Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted), Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: minimalSpec()}}}
	if _, err := vms.Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create VM: %v", err)
	}
	alice, bob := userClient(t, e, "alice"), userClient(t, e, "bob")

	err := bob.StartVM(ctx, ns, "vm", &virtv1.StartOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("bob start: want 403, got %v", err)
	}
	strategy := func() virtv1.VirtualMachineRunStrategy {
		got, err := vms.Get(ctx, "vm", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return *got.Spec.RunStrategy
	}
	if err := alice.StartVM(ctx, ns, "vm", &virtv1.StartOptions{}); err != nil {
		t.Fatalf("alice start: %v", err)
	}
	if s := strategy(); s != virtv1.RunStrategyAlways {
		t.Fatalf("after start runStrategy %s, want Always", s)
	}
	if err := alice.StartVM(ctx, ns, "vm", &virtv1.StartOptions{}); !isStatus(err, http.StatusConflict) {
		t.Fatalf("second start: want 409, got %v", err)
	}
	testRestart(t, e, ns, alice)
	if err := alice.StopVM(ctx, ns, "vm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("alice stop: %v", err)
	}
	if s := strategy(); s != virtv1.RunStrategyHalted {
		t.Fatalf("after stop runStrategy %s, want Halted", s)
	}
	if err := bob.StopVM(ctx, ns, "vm", &virtv1.StopOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("bob stop: want 403, got %v", err)
	}
	if err := alice.PauseVMI(ctx, ns, "vm", &virtv1.PauseOptions{}); !isStatus(err, http.StatusServiceUnavailable) && !apierrors.IsForbidden(err) {
		t.Fatalf("pause: want 503 (or 403 without RBAC), got %v", err)
	}
}

// testRestart needs a running VMI, which no controller creates here: the test
// creates it as the VM controller would, then restarts.
func testRestart(t *testing.T, e env, ns string, alice *subresources.Client) {
	ctx := context.Background()
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm"}, Spec: minimalSpec()}
	created, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, vmi, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create VMI: %v", err)
	}
	if err := alice.RestartVM(ctx, ns, "vm", &virtv1.RestartOptions{}); err != nil {
		t.Fatalf("alice restart: %v", err)
	}
	got, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx, "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := got.Status.StateChangeRequests
	if len(reqs) != 2 || reqs[0].Action != virtv1.StopRequest || reqs[0].UID != string(created.UID) || reqs[1].Action != virtv1.StartRequest {
		t.Fatalf("after restart stateChangeRequests %+v", reqs)
	}
	setRunning(t, e, created) // migrate needs a running VMI
	if err := alice.MigrateVM(ctx, ns, "vm", &virtv1.MigrateOptions{}); err != nil {
		t.Fatalf("alice migrate: %v", err)
	}
	migrations, err := e.kvirt.KubevirtV1().VirtualMachineInstanceMigrations(ns).List(ctx, metav1.ListOptions{LabelSelector: virtv1.MigrationSelectorLabel + "=vm"})
	if err != nil || len(migrations.Items) != 1 || migrations.Items[0].Spec.VMIName != "vm" {
		t.Fatalf("after migrate: migrations %+v, err %v", migrations, err)
	}
	// The VM controller would consume the requests; clear them as it would.
	got.Status.StateChangeRequests = nil
	if _, err := e.kvirt.KubevirtV1().VirtualMachines(ns).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func isStatus(err error, code int32) bool {
	var s apierrors.APIStatus
	return errors.As(err, &s) && s.Status().Code == code
}

// testDirect calls virt-api without the apiserver: health and metrics answer,
// and identity headers without the front-proxy certificate are not trusted.
func testDirect(t *testing.T, e env) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(e.ca)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(path string) (int, string) {
		resp, err := client.Get(e.url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := get(p); code != http.StatusOK {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	if code, body := get("/metrics"); code != http.StatusOK || !strings.Contains(body, "kubevirt_virt_api_admission_requests_total") {
		t.Errorf("/metrics: %d, admission counter missing", code)
	}
	req, _ := http.NewRequest(http.MethodPut, e.url+"/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/vm/start", nil)
	req.Header.Set("X-Remote-User", "system:admin")
	req.Header.Set("X-Remote-Group", "system:masters")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged identity headers: %d, want 401", resp.StatusCode)
	}
}
