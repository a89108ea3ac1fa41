package vmi

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// migratingLauncher adds the migration calls to fakeLauncher.
type migratingLauncher struct {
	*fakeLauncher
	mu        sync.Mutex
	prepared  int
	aborted   int
	migration *launcherv1.MigrationStatus
}

func (f *migratingLauncher) PrepareMigrationTarget(context.Context, *launcherv1.SyncVMIRequest) (*launcherv1.MigrationTargetResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prepared++
	return &launcherv1.MigrationTargetResponse{Result: &launcherv1.Result{Success: true}, DomainXml: "<domain/>"}, nil
}

func (f *migratingLauncher) GetMigration(context.Context, *launcherv1.Empty) (*launcherv1.MigrationStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.migration == nil {
		return &launcherv1.MigrationStatus{None: true}, nil
	}
	st := proto.Clone(f.migration).(*launcherv1.MigrationStatus)
	st.MigrationUid = "m1"
	return st, nil
}

func (f *migratingLauncher) AbortMigration(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aborted++
	return &launcherv1.Result{Success: true}, nil
}

func (f *migratingLauncher) setDomain(d *launcherv1.Domain) {
	f.fakeLauncher.mu.Lock()
	defer f.fakeLauncher.mu.Unlock()
	f.domain = d
}

// migratingVMI runs on node with a migration from source to target.
func migratingVMI(node, source, target string) *virtv1.VirtualMachineInstance {
	vmi := scheduledVMI()
	vmi.Labels = map[string]string{virtv1.NodeNameLabel: node, virtv1.MigrationTargetNodeNameLabel: target}
	vmi.Status.Phase, vmi.Status.NodeName = virtv1.Running, node
	vmi.Status.MigrationState = &virtv1.VirtualMachineInstanceMigrationState{MigrationUID: "m1",
		SourceNode: source, TargetNode: target, TargetPod: "virt-launcher-vm"}
	return vmi
}

// syncIncoming is syncAndGet for a VMI the informer of incoming VMIs holds
// (the fake's watch ignores label selectors, so the other informer may hold
// it too: both get the latest object).
func syncIncoming(t *testing.T, c *Controller, client *fake.Clientset, store cache.Store) *virtv1.VirtualMachineInstance {
	t.Helper()
	cur, err := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []cache.Store{store, c.inf.Kubevirt().V1().VirtualMachineInstances().Informer().GetStore()} {
		if err := s.Update(cur); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.sync(context.Background(), "default/vm"); err != nil {
		t.Fatalf("sync: %v", err)
	}
	out, err := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func updateState(t *testing.T, client *fake.Clientset, mod func(*virtv1.VirtualMachineInstanceMigrationState)) {
	t.Helper()
	cur, _ := client.KubevirtV1().VirtualMachineInstances("default").Get(context.Background(), "vm", metav1.GetOptions{})
	mod(cur.Status.MigrationState)
	if _, err := client.KubevirtV1().VirtualMachineInstances("default").Update(context.Background(), cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestTargetPreparesPublishesAndTakesOver follows a migration coming to n1:
// prepare, publish, serve the prepared domain only to the source's node,
// detect the domain, take the VMI over once the source says completed.
func TestTargetPreparesPublishesAndTakesOver(t *testing.T) {
	vmi := migratingVMI("n0", "n0", "n1")
	c, client, dialer := newTestControllerWithPods(t, vmi, "", launcherPod(vmi, "pod-t"))
	c.cfg.MigrationAddress, c.cfg.MigrationPort = "10.0.0.2", 8186
	f := &migratingLauncher{fakeLauncher: &fakeLauncher{domain: &launcherv1.Domain{State: "NoState", Reason: "Migrating"}}}
	serveLauncher(t, dialer.root, "pod-t", f)
	store := c.tinf.Kubevirt().V1().VirtualMachineInstances().Informer().GetStore()

	out := syncIncoming(t, c, client, store)
	st := out.Status.MigrationState
	if f.prepared != 1 || st.TargetNodeAddress != "10.0.0.2" || st.TargetDirectMigrationNodePorts["8186"] != 0 ||
		len(st.TargetDirectMigrationNodePorts) != 1 || out.Status.NodeName != "n0" {
		t.Fatalf("after the first sync: prepared %d, state %+v", f.prepared, st)
	}
	open, err := c.AuthorizeMigration(context.Background(), "n0", migrationproxy.Header{MigrationUID: "m1", Stream: migrationproxy.StreamDomain})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(conn); string(b) != "<domain/>" {
		t.Errorf("served domain %q", b)
	}
	for _, h := range []struct{ peer, uid string }{{"n9", "m1"}, {"n0", "m2"}} {
		if _, err := c.AuthorizeMigration(context.Background(), h.peer, migrationproxy.Header{MigrationUID: h.uid,
			Stream: migrationproxy.StreamDomain}); err == nil {
			t.Errorf("%s may open migration %s", h.peer, h.uid)
		}
	}

	f.setDomain(&launcherv1.Domain{State: "Running", StartedUnixNano: time.Now().UnixNano()})
	out = syncIncoming(t, c, client, store)
	if !out.Status.MigrationState.TargetNodeDomainDetected || out.Status.NodeName != "n0" {
		t.Fatalf("domain arrived: %+v, node %s", out.Status.MigrationState, out.Status.NodeName)
	}
	updateState(t, client, func(s *virtv1.VirtualMachineInstanceMigrationState) { s.Completed = true })
	out = syncIncoming(t, c, client, store)
	if out.Status.NodeName != "n1" || out.Labels[virtv1.NodeNameLabel] != "n1" || f.prepared != 1 {
		t.Fatalf("after completion: node %s, labels %v, prepared %d", out.Status.NodeName, out.Labels, f.prepared)
	}
}

// TestSourceReportsAndAborts follows a migration leaving n1 that its
// launcher runs: start recorded, an abort asked once, the outcome reported.
func TestSourceReportsAndAborts(t *testing.T) {
	vmi := migratingVMI("n1", "n1", "n2")
	vmi.Status.MigrationState.TargetNodeAddress = "10.0.0.3"
	c, client, dialer := newTestControllerWithPods(t, vmi, "", launcherPod(vmi, "pod-s"))
	start := time.Now().Add(-time.Second).UnixNano()
	f := &migratingLauncher{fakeLauncher: &fakeLauncher{domain: &launcherv1.Domain{State: "Running", StartedUnixNano: 1}},
		migration: &launcherv1.MigrationStatus{Running: true, StartUnixNano: start, Mode: "PreCopy", DataRemainingBytes: 10}}
	serveLauncher(t, dialer.root, "pod-s", f)

	out, _ := syncAndGet(t, c, client)
	st := out.Status.MigrationState
	if st.StartTimestamp == nil || st.Mode != virtv1.MigrationPreCopy || st.SourcePod != "virt-launcher-vm" {
		t.Fatalf("running: %+v", st)
	}
	if m := c.Migrations(); len(m) != 1 || m[0].Remaining != 10 || m[0].Name != "vm" {
		t.Errorf("migrations for the metrics: %+v", m)
	}
	updateState(t, client, func(s *virtv1.VirtualMachineInstanceMigrationState) { s.AbortRequested = true })
	syncAndGet(t, c, client)
	if f.aborted != 1 {
		t.Fatalf("AbortMigration calls = %d", f.aborted)
	}
	f.mu.Lock()
	f.migration = &launcherv1.MigrationStatus{Failed: true, AbortRequested: true, FailureReason: "operation aborted",
		StartUnixNano: start, EndUnixNano: time.Now().UnixNano()}
	f.mu.Unlock()
	out, _ = syncAndGet(t, c, client)
	st = out.Status.MigrationState
	if !st.Failed || st.AbortStatus != "Succeeded" || st.FailureReason != "the migration was deleted" || st.EndTimestamp == nil {
		t.Fatalf("aborted: %+v", st)
	}
	if m := c.Migrations(); len(m) != 0 {
		t.Errorf("an ended migration is still reported: %+v", m)
	}
	if out.Status.Phase != virtv1.Running || out.Status.NodeName != "n1" {
		t.Errorf("the VMI did not stay running here: %s on %s", out.Status.Phase, out.Status.NodeName)
	}
}
