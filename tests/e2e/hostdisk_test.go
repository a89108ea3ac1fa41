package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

// hostDiskVM is an Always VM of the test guest whose third disk (vdc) is a
// hostDisk DiskOrCreate image. %[1]s is the guest's containerDisk image, %[2]s
// the user data, %[3]s the image's path on the node.
const hostDiskVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: hdvm
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks:
          - name: containerdisk
            disk: {bus: virtio}
          - name: cloudinitdisk
            disk: {bus: virtio}
          - name: data
            disk: {bus: virtio}
        resources:
          requests:
            memory: 128Mi
      terminationGracePeriodSeconds: 5
      volumes:
      - name: containerdisk
        containerDisk:
          image: %[1]s
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
%[2]s      - name: data
        hostDisk:
          path: %[3]s
          type: DiskOrCreate
          capacity: 64Mi
`

// withFeatureGate enables gate on the KubeVirt CR for the test and restores
// the list afterwards; virt-api reads the CR as it changes.
func withFeatureGate(t *testing.T, gate string) {
	t.Helper()
	kvs := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace)
	kv, err := kvs.Get(ctx(t), "kubevirt", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if kv.Spec.Configuration.DeveloperConfiguration == nil {
		kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{}
	}
	dc := kv.Spec.Configuration.DeveloperConfiguration
	if slices.Contains(dc.FeatureGates, gate) {
		return
	}
	dc.FeatureGates = append(dc.FeatureGates, gate)
	if _, err := kvs.Update(ctx(t), kv, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("enable feature gate %s: %v", gate, err)
	}
	t.Cleanup(func() {
		// The test's context is over by cleanup time.
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := updateKubeVirt(c, func(kv *virtv1.KubeVirt) {
			dc := kv.Spec.Configuration.DeveloperConfiguration
			dc.FeatureGates = slices.DeleteFunc(dc.FeatureGates, func(g string) bool { return g == gate })
		})
		if err != nil {
			t.Errorf("disable feature gate %s: %v", gate, err)
		}
	})
}

// TestHostDiskDiskOrCreate: with the HostDisk gate on, a DiskOrCreate
// hostDisk becomes a sparse image of its capacity on the node (this machine),
// the guest writes it, and after a restart the new VMI reads the write back.
// The directory is prepared open to the launcher's user, as an administrator
// would make it.
func TestHostDiskDiskOrCreate(t *testing.T) {
	ns := newNamespace(t)
	dir := filepath.Join("/var/lib/kvirt-e2e-hostdisk", ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { //nolint:gosec // the launcher runs as 107
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	withFeatureGate(t, "HostDisk")
	img := filepath.Join(dir, "disk.img")
	manifest := fmt.Sprintf(hostDiskVM, e.guestDisk, indent(pvcScript, "            "), img)
	// virt-api sees the gate once its informer has the new CR.
	poll.Eventually(t, time.Minute, "VM with a hostDisk accepted", func() error {
		if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
			return fmt.Errorf("kubectl apply: %w\n%s%s", err, out, errOut)
		}
		return nil
	})
	first := waitRunning(t, ns, "hdvm")
	consoleUntil(t, ns, "hdvm", markerBooted, "KVIRT-PVC WRITTEN")
	fi, err := os.Stat(img)
	if err != nil {
		t.Fatalf("hostDisk image on the node: %v", err)
	}
	if fi.Size() != 64<<20 {
		t.Errorf("hostDisk image size %d, want 64 MiB", fi.Size())
	}
	if out, err := virtctl(t, "-n", ns, "restart", "hdvm"); err != nil {
		t.Fatalf("virtctl restart: %v\n%s", err, out)
	}
	waitVMI(t, ns, "hdvm", startTimeout, "restarted", func(v *virtv1.VirtualMachineInstance) error {
		if v.UID == first.UID || v.Status.Phase != virtv1.Running {
			return fmt.Errorf("uid %s (first %s), phase %s", v.UID, first.UID, v.Status.Phase)
		}
		return nil
	})
	consoleUntil(t, ns, "hdvm", markerBooted, "KVIRT-PVC SEEN")
}
