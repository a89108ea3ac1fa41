package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestVirtctlCreateVMFromCommonInstancetypes pipes
// `virtctl create vm --instancetype u1.small --preference alpine --volume-containerdisk src:IMAGE`
// into `kubectl create -f -` and checks the VM starts and boots the test guest:
// the operator installed u1.small and alpine (common-instancetypes), and
// alpine's settings (virtio disk and NIC, virtio RNG, 512Mi required) suit the
// test guest. It also runs the same binary as the kubectl plugin `kubectl virt`.
func TestVirtctlCreateVMFromCommonInstancetypes(t *testing.T) {
	ns := newNamespace(t)
	manifest := virtctlOut(t, e.virtctl, "create", "vm", "--name", "created",
		"--instancetype", "u1.small", "--preference", "alpine", "--volume-containerdisk", "src:"+e.guestDisk)
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create -f - of\n%s\n: %v\n%s%s", manifest, err, out, errOut)
	}
	vmi := waitRunning(t, ns, "created")
	d := vmi.Spec.Domain
	if d.CPU == nil || d.CPU.Sockets != 1 || d.Memory == nil || d.Memory.Guest == nil || d.Memory.Guest.String() != "2Gi" {
		t.Errorf("cpu %+v memory %+v: want u1.small's 1 vCPU and 2Gi", d.CPU, d.Memory)
	}
	if d.Devices.RNG == nil || len(d.Devices.Disks) != 1 || d.Devices.Disks[0].Disk == nil || d.Devices.Disks[0].Disk.Bus != "virtio" {
		t.Errorf("devices %+v: want alpine's virtio disk and RNG", d.Devices)
	}
	consoleUntil(t, ns, "created", markerBooted)

	// The same binary as a kubectl plugin: kubectl finds kubectl-virt on PATH.
	plugin := filepath.Join(t.TempDir(), "kubectl-virt")
	if err := os.Symlink(e.virtctl, plugin); err != nil {
		t.Fatal(err)
	}
	// kubectl takes no flags before a plugin name: the kubeconfig comes from $KUBECONFIG.
	cmd := exec.CommandContext(context.Background(), e.kubectl, "virt", "expand", "-n", ns, "--vm", "created")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(plugin)+":"+os.Getenv("PATH"), "KUBECONFIG="+e.kubeconfig)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || !bytes.Contains(out.Bytes(), []byte("guest: 2Gi")) {
		t.Errorf("kubectl virt expand --vm created: %v\n%s%s", err, out.String(), errOut.String())
	}
}

func virtctlOut(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), bin, append([]string{"--kubeconfig", e.kubeconfig}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, errOut.String())
	}
	return out.String()
}
