package node

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/launcheruser"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/guestcount"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// migrationLaunchers starts a source and a migration target launcher for vmi,
// both as UID 107 like in a pod, each with its own pod directory and network
// namespace.
func migrationLaunchers(t *testing.T, env *nodeenv.Env, vmi *virtv1.VirtualMachineInstance) (src, dst *nodeenv.Launcher) {
	t.Helper()
	kernel := readableCopy(t, env.GuestDir, "vmlinuz", "initrd.img")
	start := func(args ...string) *nodeenv.Launcher {
		root := nodeenv.ShortTempDir(t)
		if err := os.Chmod(root, 0o755); err != nil {
			t.Fatal(err)
		}
		return env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: root, PodUID: string(uuid.NewUUID()),
			VMIUID: string(vmi.UID), ContainerDiskDir: root, KernelBootDir: kernel,
			RunAsUID: uint32(launcheruser.NonRoot), ExtraArgs: args})
	}
	return start(), start("--migration-target")
}

// TestLauncherLiveMigration moves a running guest that counts on its serial
// console from one launcher (libvirt embedded) to a launcher started as a
// migration target (its own libvirtd), peer to peer through a relay like
// virt-handler's: the count carries on at the target without a reboot, the
// source's domain ends Shutoff/Migrated and its launcher exits.
func TestLauncherLiveMigration(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("migrating")
	vmi.Spec.Networks, vmi.Spec.Domain.Devices.Interfaces = nil, nil
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = guestcount.UserData
	src, dst := migrationLaunchers(t, env, vmi)
	if res := src.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI: %s", res.Message)
	}
	src.WaitForState(t, 60*time.Second, "Running")
	srcCons := src.Console(t)
	srcCons.WaitFor(t, 120*time.Second, bootMarker)
	srcCons.WaitFor(t, 60*time.Second, guestcount.Marker+"3")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	raw, err := json.Marshal(vmi)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := dst.Client.PrepareMigrationTarget(ctx, &launcherv1.SyncVMIRequest{VmiJson: raw, Accelerator: "tcg"})
	if err != nil || !prep.Result.Success {
		t.Fatalf("PrepareMigrationTarget = %v, %v", prep, err)
	}
	if d := dst.Domain(t); d == nil || d.State != "NoState" || d.Reason != "Migrating" {
		t.Errorf("target before the migration reports %v, want NoState/Migrating", d)
	}
	dstCons := dst.Console(t)
	const port = 49152
	sock := nodeenv.MigrationProxy(t, src, dst, port)
	began := time.Now()
	before := guestcount.Last(srcCons.Output())
	res, err := src.Client.Migrate(ctx, &launcherv1.MigrateRequest{TargetDomainXml: prep.DomainXml,
		LibvirtSocket: sock, Port: port, MaxDowntimeMs: 900})
	if err != nil || !res.Success {
		t.Fatalf("Migrate = %v, %v", res, err)
	}
	st := waitMigrationEnd(t, src)
	took := time.Since(began)
	if !st.Completed || st.Failed {
		t.Fatalf("migration ended %v", st)
	}
	d := dst.WaitForState(t, 30*time.Second, "Running")
	if d.StartedUnixNano == 0 || d.QemuPid == 0 {
		t.Errorf("target domain after the migration: %v", d)
	}
	at := guestcount.Last(srcCons.Output())
	dstCons.WaitFor(t, 30*time.Second, guestcount.Marker+strconv.Itoa(at+2))
	if strings.Contains(dstCons.Output(), bootMarker) {
		t.Errorf("the guest booted again on the target:\n%s", dstCons.Output())
	}
	select {
	case <-src.Done():
	case <-time.After(30 * time.Second):
		t.Errorf("the source launcher did not exit after the migration")
	}
	t.Logf("FIGURE live migration of a 128 MiB TCG guest between two launchers: %s from Migrate to completed "+
		"(count %d when it began, %d on the source at the end); libvirt's stream took %s",
		took.Round(time.Millisecond), before, at,
		time.Duration(st.EndUnixNano-st.StartUnixNano).Round(time.Millisecond))
}

// waitMigrationEnd polls the source launcher until its migration is over.
func waitMigrationEnd(t *testing.T, src *nodeenv.Launcher) *launcherv1.MigrationStatus {
	t.Helper()
	var st *launcherv1.MigrationStatus
	nodeenv.WaitFor(t, 3*time.Minute, "migration end", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if st, err = src.Client.GetMigration(ctx, &launcherv1.Empty{}); err != nil {
			return false, err.Error()
		}
		return st.Completed || st.Failed, st.String()
	})
	return st
}
