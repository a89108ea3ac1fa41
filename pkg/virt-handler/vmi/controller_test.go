package vmi

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// fakeLauncher serves the command service with a scripted domain.
type fakeLauncher struct {
	launcherv1.UnimplementedLauncherServer
	mu     sync.Mutex
	vmiUID string // Ping's answer; uid-1 when empty
	domain *launcherv1.Domain
	synced []string // accelerators of SyncVMI calls
	// podIfaces are the pod interfaces of the last SyncVMI call.
	podIfaces []*launcherv1.PodInterface
	shutdown  []int64 // grace periods of Shutdown calls
	// broken makes GetDomain fail, as a launcher too slow to answer.
	broken bool
}

func (f *fakeLauncher) Ping(context.Context, *launcherv1.PingRequest) (*launcherv1.PingResponse, error) {
	uid := f.vmiUID
	if uid == "" {
		uid = "uid-1"
	}
	return &launcherv1.PingResponse{Versions: launcherv1.SupportedVersions(), VmiUid: uid}, nil
}

func (f *fakeLauncher) SyncVMI(_ context.Context, req *launcherv1.SyncVMIRequest) (*launcherv1.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.synced = append(f.synced, req.Accelerator)
	f.podIfaces = req.PodInterfaces
	f.domain = &launcherv1.Domain{Name: "default_vm", State: "Running", StartedUnixNano: 1, QemuPid: 7,
		Interfaces: []*launcherv1.Interface{{Name: "default", IpAddresses: []string{"10.1.1.1"}}}}
	return &launcherv1.Result{Success: true}, nil
}

func (f *fakeLauncher) Shutdown(_ context.Context, req *launcherv1.ShutdownRequest) (*launcherv1.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdown = append(f.shutdown, req.GracePeriodSeconds)
	return &launcherv1.Result{Success: true}, nil
}

func (f *fakeLauncher) GetDomain(context.Context, *launcherv1.Empty) (*launcherv1.DomainResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return nil, status.Error(codes.DeadlineExceeded, "too slow")
	}
	return &launcherv1.DomainResponse{Domain: f.domain}, nil
}

// fakeDialer connects to <root>/<pod uid>/launcher.sock, as podsocket.Dialer
// would through the pod's volume; it records the targets.
type fakeDialer struct {
	root    string
	mu      sync.Mutex
	targets []podsocket.Target
}

func (d *fakeDialer) Dial(ctx context.Context, t podsocket.Target) (net.Conn, podsocket.Peer, error) {
	d.mu.Lock()
	d.targets = append(d.targets, t)
	d.mu.Unlock()
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "unix", filepath.Join(d.root, string(t.PodUID), t.Socket))
	return conn, podsocket.Peer{PID: int32(os.Getpid())}, err
}

// launcherPod is the VMI's launcher pod on node n1.
func launcherPod(vmi *virtv1.VirtualMachineInstance, podUID string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "virt-launcher-vm", Namespace: vmi.Namespace, UID: types.UID(podUID),
			Labels: map[string]string{virtv1.AppLabel: "virt-launcher", virtv1.CreatedByLabel: string(vmi.UID)},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vmi,
				virtv1.SchemeGroupVersion.WithKind("VirtualMachineInstance"))}},
		Spec: corev1.PodSpec{NodeName: "n1", SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](107)},
			Containers: []corev1.Container{{Name: "compute"}}},
	}
}

// serveLauncher starts the fake on <root>/<pod uid>/launcher.sock; stop removes it.
func serveLauncher(t *testing.T, root, podUID string, f launcherv1.LauncherServer) (stop func()) {
	t.Helper()
	dir := filepath.Join(root, podUID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "launcher.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	launcherv1.RegisterLauncherServer(srv, f)
	go func() { _ = srv.Serve(ln) }()
	var once sync.Once
	stop = func() { once.Do(func() { srv.Stop(); _ = os.Remove(sock) }) }
	t.Cleanup(stop)
	return stop
}

func newTestController(t *testing.T, vmi *virtv1.VirtualMachineInstance, accErr string) (*Controller, *fake.Clientset, string) {
	t.Helper()
	c, client, dialer := newTestControllerWithPods(t, vmi, accErr, launcherPod(vmi, "pod-1"))
	return c, client, dialer.root
}

func newTestControllerWithPods(t *testing.T, vmi *virtv1.VirtualMachineInstance, accErr string,
	pods ...runtime.Object) (*Controller, *fake.Clientset, *fakeDialer) {
	t.Helper()
	client := fake.NewSimpleClientset(vmi)
	store, err := statestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("", "kvh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	dialer := &fakeDialer{root: root}
	c := New(Config{Client: client, Kube: kubefake.NewSimpleClientset(pods...), NodeName: "n1", Dialer: dialer,
		Store: store, Accelerator: "tcg", AcceleratorError: accErr})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); c.closeClients(); c.stop(); c.watches.Wait() })
	c.inf.Start(ctx.Done())
	c.inf.WaitForCacheSync(ctx.Done())
	c.tinf.Start(ctx.Done())
	c.tinf.WaitForCacheSync(ctx.Done())
	c.pods.inf.Start(ctx.Done())
	c.pods.inf.WaitForCacheSync(ctx.Done())
	return c, client, dialer
}

func scheduledVMI() *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "default", UID: "uid-1",
		Labels: map[string]string{virtv1.NodeNameLabel: "n1"}}}
	vmi.Status.Phase = virtv1.Scheduled
	return vmi
}

// syncAndGet runs one sync after the informer saw the latest object.
func syncAndGet(t *testing.T, c *Controller, client *fake.Clientset) (*virtv1.VirtualMachineInstance, time.Duration) {
	t.Helper()
	cur, err := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.inf.Kubevirt().V1().VirtualMachineInstances().Informer().GetStore().Update(cur); err != nil {
		t.Fatal(err)
	}
	requeue, err := c.sync(context.Background(), "default/vm")
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	out, err := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out, requeue
}

func TestSyncStartsAndReportsRunning(t *testing.T) {
	c, client, root := newTestController(t, scheduledVMI(), "")
	// No launcher yet: wait, do not fail.
	vmi, requeue := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Scheduled || requeue != launcherWait {
		t.Fatalf("without launcher: phase %s, requeue %s", vmi.Status.Phase, requeue)
	}
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	vmi, _ = syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Running || vmi.Status.Interfaces[0].IPAddress != "10.1.1.1" || vmi.Status.NodeName != "n1" {
		t.Fatalf("status = %+v", vmi.Status)
	}
	syncAndGet(t, c, client)
	if len(f.synced) != 1 || f.synced[0] != "tcg" {
		t.Fatalf("SyncVMI calls = %v, want one with tcg", f.synced)
	}
	rec, ok, _ := c.cfg.Store.Get("uid-1")
	if !ok || !rec.LauncherSeen || rec.GetDomain().GetQemuPid() != 7 {
		t.Fatalf("stored record = %+v", rec)
	}
}

func TestSyncShutsDownDeletedVMIOnce(t *testing.T) {
	vmi := scheduledVMI()
	vmi.Spec.TerminationGracePeriodSeconds = ptr.To[int64](7)
	c, client, root := newTestController(t, vmi, "")
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	syncAndGet(t, c, client)
	cur, _ := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	cur.DeletionTimestamp = ptr.To(metav1.Now())
	if _, err := client.KubevirtV1().VirtualMachineInstances("default").Update(context.Background(), cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	syncAndGet(t, c, client)
	syncAndGet(t, c, client)
	if len(f.shutdown) != 1 || f.shutdown[0] != 7 {
		t.Fatalf("Shutdown calls = %v, want one with grace 7", f.shutdown)
	}
}

// A forced stop shortens the grace of a VMI already shutting down: the
// launcher is asked again, with the new grace; a longer one is not sent.
func TestSyncShutsDownAgainWhenGraceShortened(t *testing.T) {
	vmi := scheduledVMI()
	vmi.Spec.TerminationGracePeriodSeconds = ptr.To[int64](30)
	c, client, root := newTestController(t, vmi, "")
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	syncAndGet(t, c, client)
	update := func(mutate func(*virtv1.VirtualMachineInstance)) {
		cur, _ := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
		mutate(cur)
		if _, err := client.KubevirtV1().VirtualMachineInstances("default").Update(context.Background(), cur, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		syncAndGet(t, c, client)
	}
	update(func(v *virtv1.VirtualMachineInstance) { v.DeletionTimestamp = ptr.To(metav1.Now()) })
	update(func(v *virtv1.VirtualMachineInstance) { v.Spec.TerminationGracePeriodSeconds = ptr.To[int64](0) })
	update(func(v *virtv1.VirtualMachineInstance) { v.Spec.TerminationGracePeriodSeconds = ptr.To[int64](10) })
	if len(f.shutdown) != 2 || f.shutdown[0] != 30 || f.shutdown[1] != 0 {
		t.Fatalf("Shutdown calls = %v, want grace 30 then 0", f.shutdown)
	}
}

func TestNeedsShutdown(t *testing.T) {
	tests := []struct {
		name  string
		rec   statestore.Record
		grace time.Duration
		want  bool
	}{
		{"never asked", statestore.Record{}, 30 * time.Second, true},
		{"asked with the same grace", statestore.Record{ShutdownSent: true, ShutdownGraceSeconds: 30}, 30 * time.Second, false},
		{"grace shortened to 0", statestore.Record{ShutdownSent: true, ShutdownGraceSeconds: 30}, 0, true},
		{"grace lengthened", statestore.Record{ShutdownSent: true, ShutdownGraceSeconds: 5}, 30 * time.Second, false},
		{"already asked with 0", statestore.Record{ShutdownSent: true}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := needsShutdown(&tt.rec, tt.grace); got != tt.want {
				t.Errorf("needsShutdown = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSyncLauncherGoneFailsAndFinalRemovesState(t *testing.T) {
	c, client, root := newTestController(t, scheduledVMI(), "")
	f := &fakeLauncher{}
	stop := serveLauncher(t, root, "pod-1", f)
	syncAndGet(t, c, client)
	stop()
	c.dropClient("uid-1")
	vmi, _ := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Failed || vmi.Status.Reason != vmistatus.ReasonLauncherGone {
		t.Fatalf("phase %s reason %q, want Failed/%s", vmi.Status.Phase, vmi.Status.Reason, vmistatus.ReasonLauncherGone)
	}
	syncAndGet(t, c, client)
	if _, ok, _ := c.cfg.Store.Get("uid-1"); ok {
		t.Fatal("state of a final VMI is still on disk")
	}
}

func TestSyncWithoutAcceleratorFails(t *testing.T) {
	c, client, _ := newTestController(t, scheduledVMI(), "KVM is not usable")
	vmi, _ := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Failed || vmi.Status.Reason != vmistatus.ReasonNoAccelerator {
		t.Fatalf("phase %s reason %q", vmi.Status.Phase, vmi.Status.Reason)
	}
}

// The handler dials the VMI's own pod, with the pod's uid, and refuses a
// launcher there that says it serves another VMI: nothing is synced to it.
func TestSyncRefusesLauncherOfAnotherVMI(t *testing.T) {
	vmi := scheduledVMI()
	c, client, dialer := newTestControllerWithPods(t, vmi, "", launcherPod(vmi, "pod-1"))
	f := &fakeLauncher{vmiUID: "uid-of-someone-else"}
	serveLauncher(t, dialer.root, "pod-1", f)
	got, requeue := syncAndGet(t, c, client)
	if got.Status.Phase != virtv1.Scheduled || requeue != launcherWait {
		t.Fatalf("phase %s requeue %s, want Scheduled and a retry", got.Status.Phase, requeue)
	}
	if len(f.synced) != 0 {
		t.Fatalf("SyncVMI reached a launcher of another VMI: %v", f.synced)
	}
	want := podsocket.Target{PodUID: "pod-1", Socket: "launcher.sock", RunAsUser: 107}
	if len(dialer.targets) == 0 || dialer.targets[0] != want {
		t.Fatalf("dialled %+v, want %+v", dialer.targets, want)
	}
}

// A pod that another VMI controls, or one in another namespace, is never
// dialled for this VMI even when it carries this VMI's label.
func TestSyncIgnoresForgedLauncherPods(t *testing.T) {
	vmi := scheduledVMI()
	other := vmi.DeepCopy()
	other.UID = "uid-2"
	forgedOwner := launcherPod(other, "pod-2")
	forgedOwner.Labels[virtv1.CreatedByLabel] = string(vmi.UID)
	elsewhere := launcherPod(vmi, "pod-3")
	elsewhere.Namespace = "tenant-b"
	c, client, dialer := newTestControllerWithPods(t, vmi, "", forgedOwner, elsewhere)
	serveLauncher(t, dialer.root, "pod-2", &fakeLauncher{})
	serveLauncher(t, dialer.root, "pod-3", &fakeLauncher{})
	got, _ := syncAndGet(t, c, client)
	if got.Status.Phase != virtv1.Scheduled || len(dialer.targets) != 0 {
		t.Fatalf("phase %s, dialled %+v; want no pod dialled", got.Status.Phase, dialer.targets)
	}
}
