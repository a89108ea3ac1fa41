package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

func startLauncher(t *testing.T, env *nodeenv.Env, uid, containerDiskDir string) *nodeenv.Launcher {
	t.Helper()
	root := nodeenv.ShortTempDir(t)
	if containerDiskDir == "" {
		containerDiskDir = root
	}
	return env.StartLauncher(t, nodeenv.LauncherConfig{
		PodsDir: root, PodUID: string(uuid.NewUUID()), VMIUID: uid, ContainerDiskDir: containerDiskDir,
		KernelBootDir: env.GuestDir,
	})
}

func TestLauncherKernelBoot(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("kernel-boot")
	l := startLauncher(t, env, string(vmi.UID), "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ping, err := l.Client.Ping(ctx, &launcherv1.PingRequest{Versions: launcherv1.SupportedVersions()})
	if err != nil || launcherv1.Negotiate(launcherv1.SupportedVersions(), ping.Versions) == 0 {
		t.Fatalf("Ping = %v, %v", ping, err)
	}
	start := time.Now()
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	d := l.WaitForState(t, 60*time.Second, "Running")
	running := time.Now()
	if d.QemuPid == 0 {
		t.Errorf("running domain reports no QEMU pid: %v", d)
	}
	cons := l.Console(t)
	booted := cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 60*time.Second, cloudInitOutput)
	cons.WaitFor(t, 60*time.Second, "KVIRT-GUEST-ADDR eth0 10.0.2.2/24")
	t.Logf("FIGURE kernelBoot TCG: sync->running %s, sync->boot marker %s", running.Sub(start), booted.Sub(start))
}

// TestLauncherShutdownGracePeriod: a guest that ignores the ACPI power button
// is destroyed once the grace period is over, not before.
func TestLauncherShutdownGracePeriod(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("ignores-acpi")
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = "#!/bin/sh\ntouch /run/kvirt-ignore-acpi\necho acpi-ignored\n"
	l := startLauncher(t, env, string(vmi.UID), "")
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	cons := l.Console(t)
	cons.WaitFor(t, 120*time.Second, "acpi-ignored")
	const grace = 3 * time.Second
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := l.Client.Shutdown(ctx, &launcherv1.ShutdownRequest{GracePeriodSeconds: int64(grace / time.Second)})
	if err != nil || !res.Success {
		t.Fatalf("Shutdown = %v, %v", res, err)
	}
	var last *launcherv1.Domain
	nodeenv.WaitFor(t, 60*time.Second, "domain destroyed", func() (bool, string) {
		select {
		case <-l.Done():
			return true, "launcher exited"
		default:
		}
		d, err := l.Client.GetDomain(ctx, &launcherv1.Empty{})
		if err != nil {
			return false, err.Error()
		}
		last = d.Domain
		return d.Domain.GetState() == "Shutoff", d.String()
	})
	took := time.Since(start)
	if !strings.Contains(cons.Output(), "KVIRT-GUEST-IGNORING-ACPI") {
		t.Errorf("the guest never saw the power button press")
	}
	if took < grace {
		t.Fatalf("domain stopped after %s, before the %s grace period", took, grace)
	}
	if last != nil && (last.Reason != "Destroyed" || !last.ShutdownRequested) {
		t.Errorf("final domain %v, want Destroyed after a requested shutdown", last)
	}
	t.Logf("FIGURE guest ignoring ACPI destroyed %s after shutdown (grace %s)", took.Round(time.Millisecond), grace)
}
