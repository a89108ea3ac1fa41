package node

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// writeSecretFile replaces one key of a fake mounted Secret atomically, as the
// kubelet swaps its ..data link.
func writeSecretFile(t *testing.T, dir, key, value string) {
	t.Helper()
	tmp := filepath.Join(dir, "."+key+".tmp")
	if err := os.WriteFile(tmp, []byte(value), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, key)); err != nil {
		t.Fatal(err)
	}
}

// guestFile reads a file in the guest through guest-exec.
func guestFile(t *testing.T, l *nodeenv.Launcher, path string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ex, err := l.Client.GuestExec(ctx, &launcherv1.GuestExecRequest{Command: []string{"/bin/cat", path}, TimeoutSeconds: 10})
	if err != nil || ex.Failure != "" || ex.ExitCode != 0 {
		return "", false
	}
	return ex.Stdout, true
}

func waitForGuestFile(t *testing.T, l *nodeenv.Launcher, path string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if s, read := guestFile(t, l, path); read {
			last = s
			if ok(s) {
				return s
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s in the guest not as wanted after 90s; last %q", path, last)
	return ""
}

// TestLauncherAccessCredentials: an sshPublicKey with qemuGuestAgent
// propagation ends up in the user's authorized_keys through the real qemu-ga,
// the launcher reports the sync as succeeded, and a changed Secret file (as
// the kubelet updates a mounted Secret) is pushed again, replacing the keys.
func TestLauncherAccessCredentials(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("creds")
	vmi.Spec.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
		Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "my-keys"}},
		PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{Users: []string{"kvirt"}}},
	}}}
	credDir := nodeenv.ShortTempDir(t)
	secretDir := filepath.Join(credDir, "my-keys")
	if err := os.MkdirAll(secretDir, 0o755); err != nil {
		t.Fatal(err)
	}
	const key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvirtTestKeyOne000000000000000000000000000 one@test"
	const key2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvirtTestKeyTwo000000000000000000000000000 two@test"
	writeSecretFile(t, secretDir, "key1", key1+"\n")
	root := nodeenv.ShortTempDir(t)
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: root, PodUID: string(uuid.NewUUID()), VMIUID: string(vmi.UID),
		ContainerDiskDir: root, KernelBootDir: env.GuestDir, ExtraArgs: []string{"--access-credentials-dir", credDir}})
	start := time.Now()
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	waitForAgent(t, l, 180*time.Second, func(r *launcherv1.GuestAgentResponse) bool {
		return r.Connected && r.AccessCredentials.GetSucceeded()
	})
	t.Logf("FIGURE access credentials TCG: sync->keys pushed %s", time.Since(start))
	const file = "/home/kvirt/.ssh/authorized_keys"
	waitForGuestFile(t, l, file, func(s string) bool { return strings.TrimSpace(s) == key1 })

	writeSecretFile(t, secretDir, "key1", key2+"\n")
	got := waitForGuestFile(t, l, file, func(s string) bool { return strings.Contains(s, key2) })
	if strings.Contains(got, key1) {
		t.Fatalf("authorized_keys still has the replaced key: %q", got)
	}
	if r := waitForAgent(t, l, 30*time.Second, func(*launcherv1.GuestAgentResponse) bool { return true }); !r.AccessCredentials.GetSucceeded() {
		t.Fatalf("access credentials status after the change = %v", r.AccessCredentials)
	}
}

// TestHandlerAccessCredentials: virt-handler turns the launcher's report into
// the VMI's AccessCredentialsSynchronized condition (True, upstream's reason),
// and the agent it reports stays supported (Debian's qemu-ga has the ssh
// commands).
func TestHandlerAccessCredentials(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := kernelBootVMI("creds-handler")
	vmi.Spec.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
		Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "keys"}},
		PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{Users: []string{"kvirt"}}},
	}}}
	credDir := nodeenv.ShortTempDir(t)
	if err := os.MkdirAll(filepath.Join(credDir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSecretFile(t, filepath.Join(credDir, "keys"), "k",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvirtHandlerKey000000000000000000000000000 h@test\n")
	vmi = c.createScheduled(t, vmi)
	env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: c.podsDir, PodUID: c.createPod(t, vmi), VMIUID: string(vmi.UID),
		ContainerDiskDir: nodeenv.ShortTempDir(t), KernelBootDir: env.GuestDir,
		ExtraArgs: []string{"--access-credentials-dir", credDir}})
	got := c.waitForVMI(t, vmi, 240*time.Second, "AccessCredentialsSynchronized True",
		func(v *virtv1.VirtualMachineInstance) bool {
			s := vmiconditions.Get(v, virtv1.VirtualMachineInstanceAccessCredentialsSynchronized)
			return s != nil && s.Status == "True"
		})
	s := vmiconditions.Get(got, virtv1.VirtualMachineInstanceAccessCredentialsSynchronized)
	if s.Reason != "AccessCredentialsSyncSuccess" || s.Message != "" {
		t.Errorf("condition = %+v", s)
	}
	if u := vmiconditions.Get(got, virtv1.VirtualMachineInstanceUnsupportedAgent); u != nil {
		t.Errorf("Debian's qemu-ga reported unsupported with access credentials: %+v", u)
	}
}

// TestLauncherAccessCredentialsAgentError: a failing push reports the agent's
// own error. The test guest's busybox has no chpasswd, so qemu-ga refuses
// guest-set-user-password ("cannot find 'passwd' program in PATH"); the
// report carries that message.
func TestLauncherAccessCredentialsAgentError(t *testing.T) {
	t.Parallel() // a launcher of its own: runs beside the other launcher tests
	env := nodeenv.Get(t)
	vmi := kernelBootVMI("creds-pw")
	vmi.Spec.AccessCredentials = []virtv1.AccessCredential{{UserPassword: &virtv1.UserPasswordAccessCredential{
		Source: virtv1.UserPasswordAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "pw"}},
		PropagationMethod: virtv1.UserPasswordAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentUserPasswordAccessCredentialPropagation{}},
	}}}
	credDir := nodeenv.ShortTempDir(t)
	if err := os.MkdirAll(filepath.Join(credDir, "pw"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSecretFile(t, filepath.Join(credDir, "pw"), "kvirt", "s3cret")
	root := nodeenv.ShortTempDir(t)
	l := env.StartLauncher(t, nodeenv.LauncherConfig{PodsDir: root, PodUID: string(uuid.NewUUID()), VMIUID: string(vmi.UID),
		ContainerDiskDir: root, KernelBootDir: env.GuestDir, ExtraArgs: []string{"--access-credentials-dir", credDir}})
	if res := l.Sync(t, vmi); !res.Success {
		t.Fatalf("SyncVMI failed: %s", res.Message)
	}
	r := waitForAgent(t, l, 180*time.Second, func(r *launcherv1.GuestAgentResponse) bool {
		return r.Connected && strings.Contains(r.AccessCredentials.GetMessage(), "program in PATH")
	})
	if r.AccessCredentials.Succeeded || !strings.Contains(r.AccessCredentials.Message, "guest-set-user-password") {
		t.Fatalf("access credentials status = %v", r.AccessCredentials)
	}
	t.Logf("agent error: %s", r.AccessCredentials.Message)
}
