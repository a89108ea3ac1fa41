package e2e

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// dataVolume is a cdi.kubevirt.io DataVolume on the default StorageClass
// (the CSI hostpath driver). %[1]s name, %[2]s the source's YAML (one line),
// %[3]s its volume mode.
const dataVolume = `apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata:
  name: %[1]s
spec:
  source: %[2]s
  storage:
    volumeMode: %[3]s
    resources:
      requests: {storage: 128Mi}
`

func applyDataVolume(t *testing.T, ns, name, source, mode string) {
	t.Helper()
	if out, errOut, err := kubectl(t, fmt.Sprintf(dataVolume, name, source, mode), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply datavolume %s: %v\n%s%s", name, err, out, errOut)
	}
}

// waitDataVolume waits for the DataVolume's phase.
func waitDataVolume(t *testing.T, ns, name, phase string) {
	t.Helper()
	poll.Eventually(t, 4*time.Minute, "datavolume "+name+" "+phase, func() error {
		// A VM's dataVolumeTemplates DataVolume may not exist yet.
		got, err := tryJSONPath(t, ns, "datavolume", name, "{.status.phase}")
		if err != nil {
			return err
		}
		if got != phase {
			return fmt.Errorf("phase %q, Running condition %s", got,
				jsonpath(t, ns, "datavolume", name, `{.status.conditions[?(@.type=="Running")]}`))
		}
		return nil
	})
}

// TestDataVolumeBlankDisk: on the operator-installed cluster (no CDI), a blank
// DataVolume is served by kvirt's own controller: its importer fills the claim
// the CSI driver provisions, the DataVolume reports Succeeded, Ready and 100 %,
// and a VMI's dataVolume disk keeps what the guest wrote for the next VMI.
func TestDataVolumeBlankDisk(t *testing.T) {
	ns := newNamespace(t)
	applyDataVolume(t, ns, "blank", "{blank: {}}", "Filesystem")
	waitDataVolume(t, ns, "blank", "Succeeded")
	if p := jsonpath(t, ns, "datavolume", "blank", "{.status.progress}"); p != "100.0%" {
		t.Errorf("progress %q, want 100.0%%", p)
	}
	if r := jsonpath(t, ns, "datavolume", "blank", `{.status.conditions[?(@.type=="Ready")].status}`); r != "True" {
		t.Errorf("Ready %q, want True", r)
	}
	if owner := jsonpath(t, ns, "pvc", "blank", "{.metadata.ownerReferences[0].kind}"); owner != "DataVolume" {
		t.Errorf("claim owned by %q, want the DataVolume", owner)
	}
	runOnSource(t, ns, "  - name: data\n    dataVolume: {name: blank}\n", "KVIRT-PVC WRITTEN")
	runOnSource(t, ns, "  - name: data\n    dataVolume: {name: blank}\n", "KVIRT-PVC SEEN")
}

// runOnSource runs a VMI whose third disk is the volume source until the
// console shows want, then deletes it.
func runOnSource(t *testing.T, ns, source, want string) {
	t.Helper()
	if out, errOut, err := kubectl(t, guestVMI("pvcvmi", pvcScript, "data", source), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply (VMI): %v\n%s%s", err, out, errOut)
	}
	waitRunning(t, ns, "pvcvmi")
	consoleUntil(t, ns, "pvcvmi", markerBooted, want)
	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "vmi", "pvcvmi", "--wait=false"); err != nil {
		t.Fatalf("kubectl delete vmi: %v\n%s", err, errOut)
	}
	waitVMIGone(t, ns, "pvcvmi")
}

// TestDataVolumeUnreachableSourceRetries: an import from a URL nothing
// answers is retried, never Succeeded: the DataVolume's Running condition
// carries the importer's reason and restartCount grows.
func TestDataVolumeUnreachableSourceRetries(t *testing.T) {
	ns := newNamespace(t)
	applyDataVolume(t, ns, "unreachable", "{http: {url: 'http://127.0.0.1:1/disk.img'}}", "Filesystem")
	poll.Eventually(t, 4*time.Minute, "a failed attempt counted", func() error {
		n, _ := strconv.Atoi(jsonpath(t, ns, "datavolume", "unreachable", "{.status.restartCount}"))
		msg := jsonpath(t, ns, "datavolume", "unreachable", `{.status.conditions[?(@.type=="Running")].message}`)
		if n < 1 || !strings.Contains(msg, "Unable to connect to http data source") {
			return fmt.Errorf("restartCount %d, Running message %q", n, msg)
		}
		return nil
	})
	if phase := jsonpath(t, ns, "datavolume", "unreachable", "{.status.phase}"); phase == "Succeeded" || phase == "Failed" {
		t.Errorf("phase %s, want a transfer phase that keeps retrying", phase)
	}
}

// missingClaimVM is a running VM whose disk names a claim that does not exist.
const missingClaimVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: nopvc
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks:
          - {name: data, disk: {bus: virtio}}
        resources:
          requests: {memory: 128Mi}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: missing}
`

// TestVMWithMissingClaim: a VM whose claim does not exist says
// ErrorPvcNotFound instead of Starting.
func TestVMWithMissingClaim(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, missingClaimVM, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm: %v\n%s%s", err, out, errOut)
	}
	poll.Eventually(t, 2*time.Minute, "VM ErrorPvcNotFound", func() error {
		if got := jsonpath(t, ns, "vm", "nopvc", "{.status.printableStatus}"); got != "ErrorPvcNotFound" {
			return errors.New("printableStatus " + got)
		}
		return nil
	})
}
