package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// csiClaim is a claim on the cluster's default StorageClass (kvirt's CSI
// hostpath driver, WaitForFirstConsumer): no class named, nothing prepared.
// %[1]s is its name, %[2]s its volume mode, %[3]s extra spec lines.
const csiClaim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: %[1]s
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: %[2]s
  resources:
    requests: {storage: 128Mi}
%[3]s`

const csiSnapshot = `apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: snap
spec:
  source: {persistentVolumeClaimName: disk}
`

// restoredFrom is the extra spec of a claim filled from a snapshot or claim.
func restoredFrom(kind, apiGroup, name string) string {
	group := ""
	if apiGroup != "" {
		group = ", apiGroup: " + apiGroup
	}
	return fmt.Sprintf("  dataSource: {kind: %s, name: %s%s}\n", kind, name, group)
}

func applyClaim(t *testing.T, ns, name, mode, extra string) {
	t.Helper()
	if out, errOut, err := kubectl(t, fmt.Sprintf(csiClaim, name, mode, extra), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply claim %s: %v\n%s%s", name, err, out, errOut)
	}
}

// TestCSIClaimDisk: a claim on the default StorageClass is provisioned by the
// CSI driver when the first VMI using it is scheduled, keeps what the guest
// wrote across VMIs, and grows when the claim is expanded.
func TestCSIClaimDisk(t *testing.T) {
	ns := newNamespace(t)
	applyClaim(t, ns, "disk", "Filesystem", "")
	writeThenReadClaim(t, ns)

	pv := jsonpath(t, ns, "pvc", "disk", "{.spec.volumeName}")
	if driver := jsonpath(t, "", "pv", pv, "{.spec.csi.driver}"); driver != "hostpath.csi.kvirt.io" {
		t.Fatalf("PV %s is provisioned by %q, want hostpath.csi.kvirt.io", pv, driver)
	}
	if _, errOut, err := kubectl(t, "", "-n", ns, "patch", "pvc", "disk", "--type=merge",
		"-p", `{"spec":{"resources":{"requests":{"storage":"256Mi"}}}}`); err != nil {
		t.Fatalf("kubectl patch pvc: %v\n%s", err, errOut)
	}
	poll.Eventually(t, 2*time.Minute, "claim expanded to 256Mi", func() error {
		if got := jsonpath(t, ns, "pvc", "disk", "{.status.capacity.storage}"); got != "256Mi" {
			return fmt.Errorf("capacity %q", got)
		}
		return nil
	})
}

// TestCSIBlockClaimSnapshotAndClone: a Block claim on the default
// StorageClass is the guest's disk as a device; a VolumeSnapshot of it and a
// clone of it, each restored into a new claim, hold what the guest wrote.
func TestCSIBlockClaimSnapshotAndClone(t *testing.T) {
	ns := newNamespace(t)
	applyClaim(t, ns, "disk", "Block", "")
	runOnClaim(t, ns, "disk", "KVIRT-PVC WRITTEN")
	if out, errOut, err := kubectl(t, csiSnapshot, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply snapshot: %v\n%s%s", err, out, errOut)
	}
	poll.Eventually(t, 2*time.Minute, "snapshot ready", func() error {
		if got := jsonpath(t, ns, "volumesnapshot", "snap", "{.status.readyToUse}"); got != "true" {
			return fmt.Errorf("readyToUse %q", got)
		}
		return nil
	})
	applyClaim(t, ns, "fromsnap", "Block", restoredFrom("VolumeSnapshot", "snapshot.storage.k8s.io", "snap"))
	runOnClaim(t, ns, "fromsnap", "KVIRT-PVC SEEN")
	applyClaim(t, ns, "clone", "Block", restoredFrom("PersistentVolumeClaim", "", "disk"))
	runOnClaim(t, ns, "clone", "KVIRT-PVC SEEN")
}

// jsonpath is one field of an object, read with kubectl (ns empty: cluster-scoped).
func jsonpath(t *testing.T, ns, kind, name, path string) string {
	t.Helper()
	out, err := tryJSONPath(t, ns, kind, name, path)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tryJSONPath is jsonpath that returns kubectl's failure (such as an object
// that does not exist yet) instead of ending the test.
func tryJSONPath(t *testing.T, ns, kind, name, path string) (string, error) {
	t.Helper()
	args := []string{"get", kind, name, "-o", "jsonpath=" + path}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	out, errOut, err := kubectl(t, "", args...)
	if err != nil {
		return "", fmt.Errorf("kubectl get %s %s: %w\n%s", kind, name, err, errOut)
	}
	return strings.TrimSpace(out), nil
}
