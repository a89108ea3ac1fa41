package node

import (
	"context"
	"testing"
	"time"

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
		SocketRoot: root, UID: uid, ContainerDiskDir: containerDiskDir, KernelBootDir: env.GuestDir,
	})
}

func TestLauncherKernelBoot(t *testing.T) {
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
	cons.WaitFor(t, 60*time.Second, "KVIRT-GUEST-ADDR eth0 10.0.2.15/24")
	t.Logf("FIGURE kernelBoot TCG: sync->running %s, sync->boot marker %s", running.Sub(start), booted.Sub(start))
}

func TestLauncherDiskImageBoot(t *testing.T) {
	env := nodeenv.Get(t)
	vmi := diskVMI("disk-boot")
	l := startLauncher(t, env, string(vmi.UID), containerDisks(t, env, "rootdisk"))
	start := time.Now()
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	l.WaitForState(t, 60*time.Second, "Running")
	cons := l.Console(t)
	booted := cons.WaitFor(t, 120*time.Second, bootMarker)
	cons.WaitFor(t, 60*time.Second, cloudInitOutput)
	t.Logf("FIGURE disk image TCG: sync->boot marker %s", booted.Sub(start))
}
