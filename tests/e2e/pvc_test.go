package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pvcScript prints the marker the third disk (vdc, the claim) holds, or
// writes it.
const pvcScript = `#!/bin/sh
if dd if=/dev/vdc bs=15 count=1 2>/dev/null | grep -q KVIRT-PVC-MARK; then
  echo "KVIRT-PVC SEEN"
else
  echo KVIRT-PVC-MARK | dd of=/dev/vdc conv=fsync 2>/dev/null && echo "KVIRT-PVC WRITTEN"
fi
`

const pvcSource = `  - name: data
    persistentVolumeClaim:
      claimName: disk
`

// staticClaim is a PersistentVolume on a host directory, bound in advance to
// the claim "disk" of the namespace.
const staticClaim = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: %[1]s
spec:
  capacity: {storage: 128Mi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: kvirt-e2e-static
  claimRef: {namespace: %[2]s, name: disk}
  hostPath: {path: %[3]s, type: Directory}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: disk
  namespace: %[2]s
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: kvirt-e2e-static
  volumeName: %[1]s
  resources:
    requests: {storage: 128Mi}
`

// TestPVCDiskOutlivesVMI: a claim's disk.img, which the launcher creates in
// the empty volume sized to the claim, keeps what the guest wrote after the VMI is deleted; a
// second VMI on the same claim reads it. The volume is a static
// PersistentVolume on a host directory the test prepares (the local cluster's
// node is this machine), open to the launcher's user as an administrator would
// make it.
func TestPVCDiskOutlivesVMI(t *testing.T) {
	ns := newNamespace(t)
	dir := filepath.Join("/var/lib/kvirt-e2e-pv", ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { //nolint:gosec // the launcher runs as 107
		t.Fatal(err)
	}
	pv := "kvirt-e2e-" + ns
	t.Cleanup(func() {
		_, _, _ = kubectl(t, "", "delete", "pv", pv, "--wait=false")
		_ = os.RemoveAll(dir)
	})
	if out, errOut, err := kubectl(t, fmt.Sprintf(staticClaim, pv, ns, dir), "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	writeThenReadClaim(t, ns)
	// Sized to the claim (128 MiB less 5.5 %, rounded down to a MiB), not to
	// the host filesystem the directory is on.
	if fi, err := os.Stat(filepath.Join(dir, "disk.img")); err != nil || fi.Size() != 120<<20 {
		t.Errorf("disk.img %v, want 120 MiB: %v", fi, err)
	}
}

// writeThenReadClaim runs a VMI on the claim "disk" that writes the marker,
// deletes it, and runs a second VMI that reads the marker back.
func writeThenReadClaim(t *testing.T, ns string) {
	t.Helper()
	runOnClaim(t, ns, "disk", "KVIRT-PVC WRITTEN")
	runOnClaim(t, ns, "disk", "KVIRT-PVC SEEN")
}

// runOnClaim runs a VMI whose third disk is the claim until the console shows
// want (the marker written or seen), then deletes it.
func runOnClaim(t *testing.T, ns, claim, want string) {
	t.Helper()
	source := strings.Replace(pvcSource, "claimName: disk", "claimName: "+claim, 1)
	if out, errOut, err := kubectl(t, guestVMI("pvcvmi", pvcScript, "data", source), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply (VMI on %s): %v\n%s%s", claim, err, out, errOut)
	}
	waitRunning(t, ns, "pvcvmi")
	// a ReadWriteOnce claim keeps the VMI on its node
	waitLiveMigratable(t, ns, "pvcvmi", "False", "DisksNotLiveMigratable")
	migrationRefused(t, ns, "pvcvmi", "DisksNotLiveMigratable")
	consoleUntil(t, ns, "pvcvmi", markerBooted, want)
	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "vmi", "pvcvmi", "--wait=false"); err != nil {
		t.Fatalf("kubectl delete vmi: %v\n%s", err, errOut)
	}
	waitVMIGone(t, ns, "pvcvmi")
}
